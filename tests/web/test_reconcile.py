"""The Reconciliation Service API (0.2) at /reconcile, in-process over the real graph: every answer valid
against the API's JSON Schemas (tests/fixtures/reconciliation, written from the specification: see its
README), the requests OpenRefine sends (a form-encoded POST of `queries`, `type_strict: should`, property
constraints, suggest with a prefix, the preview in an iframe), names in English, pinyin or Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "reconciliation"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def valid(document, name: str):
    jsonschema.Draft7Validator(schema(name)).validate(document)
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
