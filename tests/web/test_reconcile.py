"""The Reconciliation Service API (0.2) at /reconcile, in-process over the real graph: every answer valid
against the API's JSON Schemas (tests/fixtures/reconciliation, written from the specification: see its
README), the requests OpenRefine sends (a form-encoded POST of `queries`, `type_strict: should`, property
constraints, suggest with a prefix, the preview in an iframe), names in English, pinyin or Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import referencing
import referencing.exceptions
import referencing.jsonschema

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "reconciliation"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def _only_local(uri: str):
    raise referencing.exceptions.NoSuchResource(ref=uri)  # no schema is fetched from the network


# the published schemas refer to each other by their $id (type.json): resolved among the vendored files
REGISTRY = referencing.Registry(retrieve=_only_local).with_resources(
    (document["$id"], referencing.Resource(document, referencing.jsonschema.DRAFT7))
    for document in (json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json"))
)


def valid(document, name: str):
    jsonschema.Draft7Validator(schema(name), registry=REGISTRY).validate(document)
    return document


def reconcile(client, queries: dict) -> dict:
    """As OpenRefine sends a batch: POST, form-encoded, the batch as JSON in `queries`."""
    valid(queries, "reconciliation-query-batch")
    r = client.post(
        "/reconcile",
        data={"queries": json.dumps(queries)},
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert r.status_code == 200 and r.mimetype == "application/json", r.text
    answer = valid(r.get_json(), "reconciliation-result-batch")
    assert set(answer) == set(queries)
    return answer


def test_the_manifest_is_valid_and_names_this_graphs_spaces(client):
    manifest = valid(client.get("/reconcile").get_json(), "manifest")
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/paradiplomacy/resource/"
    assert manifest["schemaSpace"] == "https://w3id.org/paradiplomacy/ontology#"
    assert manifest["view"]["url"].endswith("/resource/{{id}}")
    assert {"ProvinceLevelUnit", "ForeignState", "Enterprise"} <= {t["id"] for t in manifest["defaultTypes"]}
    jsonp = client.get("/reconcile?callback=jsonp123")
    assert jsonp.mimetype == "application/javascript" and jsonp.text.startswith("/**/jsonp123({")
    assert client.get("/reconcile?callback=alert(1)").status_code == 400


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Jiangxi", "jiangxi", "江西", "Jiangxi Province"])
def test_a_province_is_reconciled_from_english_pinyin_or_chinese(client, name):
    result = reconcile(client, {"q0": {"query": name, "type": "ProvinceLevelUnit", "type_strict": "should"}})["q0"][
        "result"
    ]
    assert result[0]["id"] == "jiangxi" and result[0]["name"] == "Jiangxi"
    assert result[0]["match"] is (name != "Jiangxi Province")  # only an exact name is a certain match
    assert {"id": "ProvinceLevelUnit", "name": "province-level unit"} in result[0]["type"]


def test_a_batch_of_a_spreadsheet_column_each_answered_under_its_key(client):
    column = {
        "q0": {"query": "Zambia", "type": "ForeignState"},
        "q1": {"query": "Chad", "type": "ForeignState"},
        "q2": {"query": "Zhongmei", "type": "Enterprise"},
        "q3": {"query": "Hebei"},
        "q4": {"query": "no such place anywhere"},
    }
    answer = reconcile(client, column)
    assert answer["q0"]["result"][0]["id"] == "zambia" and answer["q0"]["result"][0]["match"]
    assert answer["q1"]["result"][0]["id"] == "chad"
    assert answer["q2"]["result"][0]["id"] == "zhongmei"
    assert answer["q3"]["result"][0]["id"] == "hebei"
    assert answer["q4"]["result"] == []
    scores = [c["score"] for c in answer["q3"]["result"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 100 for s in scores)


def test_a_type_constraint_keeps_entities_of_that_type_and_its_subclasses(client):
    answer = reconcile(
        client,
        {
            "q0": {"query": "Jiangxi", "type": "ProvinceLevelUnit"},
            "q1": {"query": "Jiangxi", "type": "Actor"},
            "q2": {"query": "Jiangxi", "type": ["ForeignState"]},
        },
    )
    assert [c["id"] for c in answer["q0"]["result"]] == ["jiangxi"]
    assert len(answer["q1"]["result"]) > 1  # provincial bodies and firms of Jiangxi are actors too
    assert answer["q2"]["result"] == []


def test_property_constraints_confirm_or_weaken_a_candidate(client):
    answer = reconcile(
        client,
        {
            "agrees": {"query": "Jiangxi", "properties": [{"pid": "twinnedWith", "v": "Chad"}]},
            "by_id": {"query": "Jiangxi", "properties": [{"pid": "twinnedWith", "v": {"id": "chad", "name": "Chad"}}]},
            "disagrees": {"query": "Jiangxi", "properties": [{"pid": "twinnedWith", "v": "Ghana"}]},
            "only_properties": {"properties": [{"pid": "skos:notation", "v": "CN-JX"}], "type": "ProvinceLevelUnit"},
        },
    )
    top = {key: value["result"][0] for key, value in answer.items()}
    assert top["agrees"]["id"] == top["by_id"]["id"] == "jiangxi" and top["agrees"]["match"]
    assert {"id": "property:twinnedWith", "value": True} in top["agrees"]["features"]
    assert top["disagrees"]["id"] == "jiangxi" and not top["disagrees"]["match"]
    assert top["disagrees"]["score"] < top["agrees"]["score"]
    assert {"id": "property:twinnedWith", "value": False} in top["disagrees"]["features"]
    assert top["only_properties"]["id"] == "jiangxi" and top["only_properties"]["score"] == 100


def test_a_get_with_queries_and_malformed_batches(client):
    r = client.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "Zambia", "limit": 1}})})
    assert len(valid(r.get_json(), "reconciliation-result-batch")["q0"]["result"]) == 1
    for bad in (
        "not json",
        json.dumps(["Zambia"]),
        json.dumps({"q0": {"type": "ForeignState"}}),
        json.dumps({"q0": {"query": "x", "properties": [{"v": "no pid"}]}}),
    ):
        r = client.post("/reconcile", data={"queries": bad})
        assert r.status_code == 400, bad


def test_suggest_entities_types_and_properties(client):
    entities = valid(client.get("/reconcile/suggest/entity?prefix=Jiang").get_json(), "suggest-entities-response")
    assert "jiangxi" in [e["id"] for e in entities["result"]]
    typed = client.get("/reconcile/suggest/entity?prefix=江&type=ProvinceLevelUnit").get_json()["result"]
    assert typed and all(any(t["id"] == "ProvinceLevelUnit" for t in e["notable"]) for e in typed)
    types = valid(client.get("/reconcile/suggest/type?prefix=province").get_json(), "suggest-types-response")
    assert types["result"][0]["name"].startswith("province") and "ProvinceLevelUnit" in [
        t["id"] for t in types["result"]
    ]
    properties = valid(client.get("/reconcile/suggest/property?prefix=twin").get_json(), "suggest-properties-response")
    assert properties["result"] == [{"id": "twinnedWith", "name": "twinned with"}]
    page_two = client.get("/reconcile/suggest/entity?prefix=a&cursor=10").get_json()["result"]
    assert page_two and page_two != client.get("/reconcile/suggest/entity?prefix=a").get_json()["result"]


def test_the_preview_is_a_card_that_openrefine_may_frame(client):
    manifest = client.get("/reconcile").get_json()
    url = manifest["preview"]["url"].replace("{{id}}", "jiangxi").replace("http://localhost", "")
    r = client.get(url)
    assert r.status_code == 200 and "Jiangxi" in r.text and "江西" in r.text and "/resource/jiangxi" in r.text
    policy = r.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert client.get("/reconcile/preview?id=nothing-at-all").status_code == 404


# ---- data extension ("Add columns from reconciled values" in OpenRefine) ----------------------------


def extend(client, ask: dict) -> dict:
    """As OpenRefine asks for values: POST, form-encoded, the request as JSON in `extend`."""
    valid(ask, "data-extension-query")
    r = client.post("/reconcile", data={"extend": json.dumps(ask)})
    assert r.status_code == 200 and r.mimetype == "application/json", r.text
    return valid(r.get_json(), "data-extension-response")


def objects(store, subject: str, predicate: str, stated: bool) -> set[str]:
    """The values of one property of one resource, read from the store: all of the default graph's
    (inferences included), or only those some graph other than the inferred ones states."""
    where = "GRAPH ?g { ?s ?p ?o } FILTER(?g NOT IN (pdg:inferred, pdg:inferred-explicit))" if stated else "?s ?p ?o"
    query = f"SELECT DISTINCT ?o WHERE {{ VALUES (?s ?p) {{ (<{subject}> <{predicate}>) }} {where} }}"
    return {str(o) for o in store.query(query).column("o")}


def test_the_manifest_offers_data_extension_with_property_proposals(client):
    manifest = valid(client.get("/reconcile").get_json(), "manifest")
    proposals = manifest["extend"]["propose_properties"]
    url = (proposals["service_url"] + proposals["service_path"]).replace("http://localhost", "")
    proposed = valid(
        client.get(url, query_string={"type": "ProvinceLevelUnit"}).get_json(), "data-extension-property-proposal"
    )
    assert proposed["type"] == "ProvinceLevelUnit"
    ids = [p["id"] for p in proposed["properties"]]
    assert {"twinnedWith", "engagedIn", "skos:exactMatch", "rdfs:label"} <= set(ids)
    assert {"id": "twinnedWith", "name": "twinned with"} in proposed["properties"]
    assert "rowId" not in ids  # a property of the datasets' rows, not of provinces
    assert len(client.get(url, query_string={"type": "ProvinceLevelUnit", "limit": 2}).get_json()["properties"]) == 2
    assert [s["name"] for s in manifest["extend"]["property_settings"]] == ["facts"]


def test_extension_gives_each_entity_its_values_as_the_graph_holds_them(client, store):
    answer = extend(
        client,
        {
            "ids": ["hebei", "pdr:jiangxi", "zambia"],
            "properties": [{"id": "twinnedWith"}, {"id": "skos:exactMatch"}, {"id": "rdfs:label"}],
        },
    )
    assert answer["meta"] == [
        {"id": "twinnedWith", "name": "twinned with"},
        {"id": "skos:exactMatch", "name": "has exact match"},
        {"id": "rdfs:label", "name": "rdfs:label"},  # a term the ontology does not label: its prefixed name
    ]
    assert set(answer["rows"]) == {"hebei", "pdr:jiangxi", "zambia"}  # keyed by the ids as asked
    for asked, slug in (("hebei", "hebei"), ("pdr:jiangxi", "jiangxi"), ("zambia", "zambia")):
        row, iri = answer["rows"][asked], f"https://w3id.org/paradiplomacy/resource/{slug}"
        twinned = objects(store, iri, "https://w3id.org/paradiplomacy/ontology#twinnedWith", stated=False)
        assert {"https://w3id.org/paradiplomacy/resource/" + v["id"] for v in row["twinnedWith"]} == twinned
        assert all(v["name"] and v["name"] != v["id"] for v in row["twinnedWith"])  # entities by their labels
        assert {v["str"] for v in row["skos:exactMatch"]} == objects(
            store, iri, "http://www.w3.org/2004/02/skos/core#exactMatch", stated=False
        )
        assert {v["str"] for v in row["rdfs:label"]} == objects(
            store, iri, "http://www.w3.org/2000/01/rdf-schema#label", stated=False
        )
    assert answer["rows"]["hebei"]["twinnedWith"], "the paper twins Hebei with a state"
    assert answer["rows"]["zambia"]["twinnedWith"] == []  # a property without values is an empty list


def test_the_facts_setting_leaves_out_what_only_the_reasoner_says(client, store):
    """`entailed` (the default) answers from the default graph, inferences included; `stated` only from the
    graphs that claims, datasets and loaded files write."""
    iri, rdf_type = "https://w3id.org/paradiplomacy/resource/jiangxi", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    stated, entailed = objects(store, iri, rdf_type, stated=True), objects(store, iri, rdf_type, stated=False)
    assert stated < entailed, "the reasoner classifies Jiangxi beyond what the claims state"
    for setting, expected in (({}, entailed), ({"facts": "entailed"}, entailed), ({"facts": "stated"}, stated)):
        answer = extend(client, {"ids": ["jiangxi"], "properties": [{"id": "rdf:type", "settings": setting}]})
        assert {v["str"] for v in answer["rows"]["jiangxi"]["rdf:type"]} == expected, setting


def test_a_malformed_extension_request_is_a_400_naming_what_is_wrong(client):
    for bad, says in (
        ("not json", "JSON"),
        (json.dumps({"properties": [{"id": "twinnedWith"}]}), "ids"),
        (json.dumps({"ids": ["hebei"], "properties": ["twinnedWith"]}), "properties"),
        (json.dumps({"ids": ["hebei"], "properties": [{"id": "twinnedWith", "settings": {"facts": "x"}}]}), "facts"),
        (json.dumps({"ids": ["hebei"], "properties": [{"id": "twinnedWith"}, {"id": "pd:twinnedWith"}]}), "once"),
        (json.dumps({"ids": ["a b"], "properties": [{"id": "twinnedWith"}]}), "IRI"),
    ):
        r = client.post("/reconcile", data={"extend": bad})
        assert r.status_code == 400 and says in r.text, (bad, r.text)
    assert client.get("/reconcile/properties", query_string={"type": "a b"}).status_code == 400
