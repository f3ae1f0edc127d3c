"""The map and network views (web/maps.py): their data from the store, and the pages in headless
Chromium against `paradiplomacy serve` on 127.0.0.1, with every request off the server refused, so
that they are shown to work offline."""

from __future__ import annotations

import shutil

import pytest
import requests
from conftest import ROOT, WIKIDATA_SLICE, needs_java
from rdflib import Graph
from test_linking import mapping_rows

from paradiplomacy.namespaces import WD, WDT
from paradiplomacy.web.mapdata import engagement_lines, network, point, store_select

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: `bash scripts/ensure-system-deps` installs it"
)
VENDOR = ROOT / "src" / "paradiplomacy" / "web" / "maps_static" / "vendor"
# engagements of the paper between a province (or an actor of one) and a state: (engagement, province, state)
PAPER_LINES = {
    ("chongqing-tanzania-atdc", "chongqing", "tanzania"),
    ("hebei-drc-medical-teams", "hebei", "democratic-republic-of-the-congo"),
    ("jiangxi-chad-medical-team", "jiangxi", "chad"),
    ("jiangxi-zambia-clustering", "jiangxi", "zambia"),
    ("jiangxi-zambia-subcontracting", "jiangxi", "zambia"),
    ("jiangxi-equatorial-guinea-legislative-exchange", "jiangxi", "equatorial-guinea"),
    ("galamsey-illegal-mining", "guangxi", "ghana"),
}


_SLICE: list[Graph] = []


def coordinates(slug: str):
    """(latitude, longitude) of a resource's linked item in the offline slice, or None."""
    if not _SLICE:
        _SLICE.append(Graph().parse(WIKIDATA_SLICE))
    qid = {r["slug"]: r["qid"] for r in mapping_rows()}.get(slug)
    return point(_SLICE[0].value(WD[qid], WDT.P625)) if qid else None


# ---- the data, from the store ------------------------------------------------------------------


def test_map_lines_join_provinces_to_states_at_their_wikidata_places(store):
    data = engagement_lines(store_select(store))
    got = {(l["engagement"], l["province"], l["state"]) for l in data["lines"]}
    assert PAPER_LINES <= got
    assert len(got) == len(data["lines"])  # one line per engagement and pair of places
    for line in data["lines"]:
        assert line["from"] == coordinates(line["province"]) and line["to"] == coordinates(line["state"])
    for line in data["unplaced"]:  # only where the slice has no coordinates: never placed by guess
        assert coordinates(line["province"]) is None or coordinates(line["state"]) is None
    by = {l["engagement"]: l for l in data["lines"]}
    assert all(by[e]["evidence"] == ["claim"] for e, _, _ in PAPER_LINES)
    assert by["hebei-drc-medical-teams"]["mechanism"] == "MedicalTeamTwinning"
    assert by["galamsey-illegal-mining"]["actors"] == ["shanglin-county"]  # Guangxi's county, drawn from Guangxi
    assert set(by["jiangxi-zambia-clustering"]["actors"]) == {"jiangxi", "ziec", "zhongding", "zhongmei"}


@needs_java
def test_map_lines_carry_the_inferred_models(store):
    by = {l["engagement"]: l["models"] for l in engagement_lines(store_select(store))["lines"]}
    assert by["hebei-drc-medical-teams"] == ["CollaborativeEngagement"]
    assert by["chongqing-tanzania-atdc"] == ["CollaborativeEngagement"]
    assert by["jiangxi-zambia-clustering"] == ["InitiatorEngagement"]
    assert by["galamsey-illegal-mining"] == ["DivergentEngagement"]


def test_network_holds_actors_engagements_and_the_facts_between_them(store):
    data = network(store_select(store))
    wider = network(store_select(store), datasets=True)
    assert {n["data"]["id"] for n in data["nodes"]} <= {n["data"]["id"] for n in wider["nodes"]}
    assert len(wider["edges"]) >= len(data["edges"])
    nodes = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    edges = {(e["data"]["source"], e["data"]["label"], e["data"]["target"]) for e in data["edges"]}
    assert nodes["jiangxi"]["kind"] == "province" and nodes["zambia"]["kind"] == "state"
    assert (
        nodes["hebei-drc-medical-teams"]["kind"] == "engagement" and nodes["ministry-of-commerce"]["kind"] == "central"
    )
    assert ("hebei-drc-medical-teams", "subStateActor", "hebei") in edges
    assert ("ziec", "backedBy", "jiangxi") in edges
    assert ("shanglin-county", "subOrganizationOf", "guangxi") in edges
    assert all(e[0] in nodes and e[2] in nodes for e in edges)


def test_the_vendored_files_are_the_ones_recorded():
    import hashlib

    sums = (VENDOR / "SHA256SUMS").read_text().split("\n")
    for line in filter(None, sums):
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((VENDOR / name.strip()).read_bytes()).hexdigest() == digest, name
    versions = (VENDOR / "VERSIONS").read_text()
    for package in ("leaflet@", "cytoscape@", "topojson-client@", "world-atlas@"):
        assert package in versions


# ---- the pages, in headless Chromium -----------------------------------------------------------


@pytest.fixture(scope="module")
def server(real_server):
    """`paradiplomacy serve` on the project's data: the session's real server (tests/web_servers.py)."""
    return real_server.url


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium: `bash scripts/ensure-system-deps` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """A browser page on the server that refuses (and records) every request to another host."""

    def __init__(self, browser, server):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors, self.offsite = [], []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            if r.request.url.startswith(server + "/"):
                r.continue_()
            else:
                self.offsite.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)

    def open(self, url: str, status: str):
        self.page.goto(url)
        self.page.wait_for_selector(f"{status}[data-rendered], {status}[data-error]", state="attached", timeout=30000)
        data = self.page.eval_on_selector(status, "el => Object.assign({}, el.dataset)")
        assert "error" not in data, data
        return data

    def attrs(self, selector: str, *names) -> list[tuple]:
        return [
            tuple(t)
            for t in self.page.eval_on_selector_all(
                selector, f"els => els.map(e => {list(names)!r}.map(n => e.getAttribute(n)))"
            )
        ]


def pairs_of(lines, sources=("claims",)) -> dict[str, list]:
    """The engagements of each province-state pair (as the map draws them) from the given sources."""
    out: dict[str, list] = {}
    for line in lines:
        if set(line["sources"]) & set(sources):
            out.setdefault(f"{line['province']}|{line['state']}", []).append(line["engagement"])
    return out


def drawn(page) -> dict[str, dict]:
    return {
        pair: {"count": int(count), "engagements": set(engagements.split()), "key": key, "width": float(width)}
        for pair, count, engagements, key, width in page.attrs(
            "path.pair-line", "data-pair", "data-count", "data-engagements", "data-colour-key", "stroke-width"
        )
    }


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_map_draws_one_line_per_pair_as_wide_as_its_engagements_the_papers_by_default(browser, server):
    expected = requests.get(server + "/map.json", timeout=30).json()
    page = Page(browser, server)
    status = page.open(server + "/map", "#map-status")
    assert int(status["countries"]) >= 170  # the bundled basemap: Natural Earth 1:110m outlines
    assert len(page.page.query_selector_all("path.basemap-country")) == int(status["countries"])
    paper = pairs_of(expected["lines"])
    lines = drawn(page)
    assert set(lines) == set(paper) and int(status["lines"]) == len(paper)
    assert {f"{p}|{s}" for _, p, s in PAPER_LINES} <= set(lines)
    for pair, engagements in paper.items():
        assert lines[pair]["engagements"] == set(engagements) and lines[pair]["count"] == len(engagements)
    assert lines["jiangxi|zambia"]["width"] > lines["jiangxi|chad"]["width"]  # more engagements, a wider line
    # each dataset can be added; every line then stands for the engagements of the claims and the dataset
    page.page.check("input[name=source][value=dataset-aiddata-v1-0]")
    everything = pairs_of(expected["lines"], ("claims", "dataset-aiddata-v1-0"))
    lines = drawn(page)
    assert set(lines) == set(everything) and sum(v["count"] for v in lines.values()) == len(expected["lines"])
    assert len(lines) < len(expected["lines"])  # one line per pair, not one per engagement
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_a_line_lists_its_engagements_each_linking_to_its_page(browser, server):
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    page.page.dispatch_event('path[data-pair="jiangxi|zambia"]', "click")
    popup = page.page.wait_for_selector(".leaflet-popup-content .pair-popup")
    text = popup.inner_text()
    assert "Jiangxi – Zambia" in text and "the paper's claims" in text
    links = page.attrs(".leaflet-popup-content a", "href")
    assert ("/resource/jiangxi-zambia-clustering",) in links and ("/resource/jiangxi-zambia-subcontracting",) in links
    page.page.click(".leaflet-popup-content a[href='/resource/jiangxi-zambia-clustering']")
    page.page.wait_for_url(server + "/resource/jiangxi-zambia-clustering")
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_map_names_mechanisms_and_models_by_their_labels(browser, server):
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    lines = drawn(page)
    assert lines["hebei|democratic-republic-of-the-congo"]["key"] == "MedicalTeamTwinning"
    legend = [li.text_content() for li in page.page.query_selector_all("#map-legend li")]
    assert "medical team twinning" in legend and "Agricultural Technology Demonstration Centre twinning" in legend
    shown = page.page.inner_text("main")
    assert "MedicalTeamTwinning" not in shown and "CollaborativeEngagement" not in shown
    model_cells = [c.inner_text() for c in page.page.query_selector_all("table.engagements tbody td:nth-child(3)")]
    assert "none" not in model_cells  # an engagement without an inferred model has an empty cell
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@needs_java
@pytest.mark.slow
def test_the_map_colours_lines_by_inferred_model(browser, server):
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    page.page.select_option("#colour-by", "model")
    lines = drawn(page)
    assert lines["hebei|democratic-republic-of-the-congo"]["key"] == "CollaborativeEngagement"
    assert lines["chongqing|tanzania"]["key"] == "CollaborativeEngagement"
    assert lines["guangxi|ghana"]["key"] == "DivergentEngagement"
    assert lines["jiangxi|chad"]["key"] == "none"
    legend = [li.text_content() for li in page.page.query_selector_all("#map-legend li")]
    assert "engagement under the collaborative-partner model" in legend and "no model inferred" in legend
    assert "colour=model" in page.page.url
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_filters_choose_mechanism_model_sector_and_years(browser, server):
    expected = {l["engagement"]: l for l in requests.get(server + "/map.json", timeout=30).json()["lines"]}
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    page.page.check("input[name=source][value=dataset-aiddata-v1-0]")
    page.page.select_option("#filter-mechanism", "MedicalTeamTwinning")
    medical = {e for v in drawn(page).values() for e in v["engagements"]}
    assert medical and all(expected[e]["mechanism"] == "MedicalTeamTwinning" for e in medical)
    assert medical == {e for e, l in expected.items() if l["mechanism"] == "MedicalTeamTwinning"}
    page.page.fill("#filter-from", "2010")
    page.page.fill("#filter-to", "2012")
    page.page.dispatch_event("#filter-to", "change")
    dated = {e for v in drawn(page).values() for e in v["engagements"]}
    assert dated and dated < medical and all(any(2010 <= y <= 2012 for y in expected[e]["years"]) for e in dated)
    page.page.select_option("#filter-mechanism", "")
    page.page.select_option("#filter-sector", "sector-health")
    assert all("sector-health" in expected[e]["sectors"] for v in drawn(page).values() for e in v["engagements"])
    page.page.uncheck("input[name=source][value=dataset-aiddata-v1-0]")
    page.page.select_option("#filter-sector", "")
    page.page.fill("#filter-from", page.page.get_attribute("#filter-from", "min"))  # every year again
    page.page.fill("#filter-to", page.page.get_attribute("#filter-to", "max"))
    page.page.select_option("#filter-model", "InitiatorEngagement")
    assert {e for v in drawn(page).values() for e in v["engagements"]} == {
        e for e, l in expected.items() if "InitiatorEngagement" in l["models"] and "claims" in l["sources"]
    }
    hidden = page.page.eval_on_selector_all("table.engagements tbody tr", "rows => rows.filter(r => !r.hidden).length")
    assert hidden == sum(v["count"] for v in drawn(page).values())  # the table shows what the map shows
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_a_place_can_be_focused_from_its_page(browser, server):
    page = Page(browser, server)
    page.page.goto(server + "/resource/jiangxi")
    page.page.click("text=on the map")
    page.page.wait_for_selector("#map-status[data-countries]", state="attached")
    assert page.page.url.startswith(server + "/map?focus=jiangxi")
    lines = drawn(page)
    assert lines and all("jiangxi" in pair.split("|") for pair in lines)
    assert "Showing the lines of Jiangxi only" in page.page.inner_text("main")
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_network_renders_actors_and_engagements_offline_in_columns(browser, server):
    expected = requests.get(server + "/network.json", timeout=30).json()
    page = Page(browser, server)
    status = page.open(server + "/network", "#network-status")
    assert int(status["nodes"]) == len(expected["nodes"]) and int(status["edges"]) == len(expected["edges"])
    cy = "window.paradiplomacyNetwork"
    drawn_ids = page.page.evaluate(f"{cy}.nodes().map(n => n.id())")
    assert {"jiangxi", "zambia", "hebei-drc-medical-teams", "ziec"} <= set(drawn_ids)
    x = page.page.evaluate(f"Object.fromEntries({cy}.nodes().map(n => [n.id(), n.position('x')]))")
    assert (
        x["jiangxi"] < x["ziec"] < x["hebei-drc-medical-teams"] < x["zambia"]
    )  # provinces, firms, engagements, states
    assert page.errors == [] and page.offsite == []


LABEL_BOXES = """() => {
  const cy = window.paradiplomacyNetwork;  // every label shown (a faded node's is hidden)
  return cy.nodes().filter(n => !n.hasClass('faded'))
           .map(n => n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true}));
}"""


def overlapping(boxes) -> int:
    return sum(
        1
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x1"] < b["x2"] - 1 and b["x1"] < a["x2"] - 1 and a["y1"] < b["y2"] - 1 and b["y1"] < a["y2"] - 1
    )


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_networks_labels_do_not_overlap_and_a_search_focuses_a_node(browser, server):
    page = Page(browser, server)
    page.open(server + "/network", "#network-status")
    assert overlapping(page.page.evaluate(LABEL_BOXES)) == 0
    page.page.fill("#network-query", "Jiangxi")
    page.page.click("#network-search button")
    page.page.wait_for_selector("#network-status[data-focus=jiangxi]", state="attached")
    page.page.wait_for_timeout(500)  # the animation to the neighbourhood
    near = page.page.evaluate("window.paradiplomacyNetwork.nodes('.near').map(n => n.id())")
    assert {"jiangxi", "jiangxi-zambia-clustering", "ziec"} <= set(near) and "hebei" not in near
    assert overlapping(page.page.evaluate(LABEL_BOXES)) == 0
    assert page.page.get_attribute("#focus-page", "href") == "/resource/jiangxi"
    page.page.evaluate("window.paradiplomacyNetwork.nodes('#jiangxi').emit('tap')")  # a focused node: its page
    page.page.wait_for_url(server + "/resource/jiangxi")
    assert page.errors == [] and page.offsite == []


@pytest.mark.slow
@needs_chromium
@pytest.mark.slow
def test_the_network_adds_the_datasets_on_request(browser, server):
    claims = requests.get(server + "/network.json", timeout=30).json()
    wider = requests.get(server + "/network.json?datasets=1", timeout=30).json()
    page = Page(browser, server)
    page.open(server + "/network", "#network-status")
    page.page.click("#network-scope")
    page.page.wait_for_url(server + "/network?datasets=1")
    status = page.open(page.page.url, "#network-status")
    assert int(status["nodes"]) == len(wider["nodes"]) >= len(claims["nodes"])
    assert page.errors == [] and page.offsite == []
