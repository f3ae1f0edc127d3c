"""The map and network views (web/maps.py): their data from the store, and the pages in headless
Chromium against `paradiplomacy serve` on 127.0.0.1, with every request off the server refused, so
that they are shown to work offline."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
import requests
from rdflib import Graph

from paradiplomacy.namespaces import WD, WDT
from paradiplomacy.web.mapdata import engagement_lines, network, point, store_select

from conftest import ROOT, WIKIDATA_SLICE, free_port, needs_java, sources_dir
from test_linking import mapping_rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: `bash scripts/ensure-system-deps` installs it")
VENDOR = ROOT / "src" / "paradiplomacy" / "web" / "maps_static" / "vendor"
# engagements of the paper between a province (or an actor of one) and a state: (engagement, province, state)
PAPER_LINES = {("chongqing-tanzania-atdc", "chongqing", "tanzania"),
               ("hebei-drc-medical-teams", "hebei", "democratic-republic-of-the-congo"),
               ("jiangxi-chad-medical-team", "jiangxi", "chad"),
               ("jiangxi-zambia-clustering", "jiangxi", "zambia"),
               ("jiangxi-zambia-subcontracting", "jiangxi", "zambia"),
               ("jiangxi-equatorial-guinea-legislative-exchange", "jiangxi", "equatorial-guinea"),
               ("galamsey-illegal-mining", "guangxi", "ghana")}


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
    assert nodes["hebei-drc-medical-teams"]["kind"] == "engagement" and nodes["ministry-of-commerce"]["kind"] == "central"
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
def server(tmp_path_factory):
    """`paradiplomacy serve` on the project's data, building its store on first start."""
    tmp = tmp_path_factory.mktemp("maps-server")
    port = free_port()
    env = {**os.environ, "PARADIPLOMACY_SOURCES": str(sources_dir())}
    log = open(tmp / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "paradiplomacy", "--home", str(ROOT), "--store", str(tmp / "store"),
                             "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if requests.get(url + "/health", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the server did not start:\n{(tmp / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


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
        return [tuple(t) for t in self.page.eval_on_selector_all(
            selector, f"els => els.map(e => {list(names)!r}.map(n => e.getAttribute(n)))")]


@needs_chromium
@pytest.mark.slow
def test_the_map_draws_every_engagement_offline_each_line_linking_to_its_page(browser, server):
    expected = requests.get(server + "/map.json", timeout=30).json()
    page = Page(browser, server)
    status = page.open(server + "/map", "#map-status")
    assert int(status["lines"]) == len(expected["lines"]) >= len(PAPER_LINES)
    assert int(status["countries"]) >= 170  # the bundled basemap: Natural Earth 1:110m outlines
    assert len(page.page.query_selector_all("path.basemap-country")) == int(status["countries"])
    lines = dict(page.attrs("path.engagement-line", "data-engagement", "data-href"))
    assert {e for e, _, _ in PAPER_LINES} <= set(lines)
    assert all(href == f"/resource/{e}" for e, href in lines.items())
    assert page.errors == [] and page.offsite == []
    # the engagements known only from imported datasets can be hidden
    page.page.uncheck("#show-datasets")
    from_claims = [l["engagement"] for l in expected["lines"] if "claim" in l["evidence"]]
    assert sorted(e for e, in page.attrs("path.engagement-line", "data-engagement")) == sorted(from_claims)
    page.page.check("#show-datasets")
    assert len(page.page.query_selector_all("path.engagement-line")) == len(expected["lines"])
    # a click on a line opens the engagement's page
    page.page.dispatch_event('path[data-engagement="hebei-drc-medical-teams"]', "click")
    page.page.wait_for_url(server + "/resource/hebei-drc-medical-teams")
    assert "Medical teams" in page.page.content() or "medical" in page.page.title().lower()


@needs_chromium
@pytest.mark.slow
def test_the_map_colours_lines_by_mechanism(browser, server):
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    stroke = {e: c for e, c in page.attrs("path.engagement-line", "data-engagement", "stroke")}
    key = dict(page.attrs("path.engagement-line", "data-engagement", "data-colour-key"))
    assert key["hebei-drc-medical-teams"] == key["jiangxi-chad-medical-team"] == "MedicalTeamTwinning"
    assert stroke["hebei-drc-medical-teams"] == stroke["jiangxi-chad-medical-team"]
    assert stroke["chongqing-tanzania-atdc"] != stroke["hebei-drc-medical-teams"]
    assert len({stroke[e] for e in key}) == len(set(key.values()))  # one colour per mechanism
    legend = [li.text_content() for li in page.page.query_selector_all("#map-legend li")]
    assert "medical team twinning" in legend and "agricultural centre twinning" in legend


@needs_chromium
@needs_java
@pytest.mark.slow
def test_the_map_colours_lines_by_inferred_model(browser, server):
    page = Page(browser, server)
    page.open(server + "/map", "#map-status")
    page.page.select_option("#colour-by", "model")
    key = dict(page.attrs("path.engagement-line", "data-engagement", "data-colour-key"))
    stroke = dict(page.attrs("path.engagement-line", "data-engagement", "stroke"))
    assert key["hebei-drc-medical-teams"] == key["chongqing-tanzania-atdc"] == "CollaborativeEngagement"
    assert key["jiangxi-zambia-clustering"] == "InitiatorEngagement"
    assert key["galamsey-illegal-mining"] == "DivergentEngagement"
    assert key["jiangxi-chad-medical-team"] == "none"
    assert stroke["hebei-drc-medical-teams"] == stroke["chongqing-tanzania-atdc"]
    assert len({stroke[e] for e in ("hebei-drc-medical-teams", "jiangxi-zambia-clustering",
                                    "galamsey-illegal-mining", "jiangxi-chad-medical-team")}) == 4
    assert "colour=model" in page.page.url
    assert page.errors == [] and page.offsite == []


@needs_chromium
@pytest.mark.slow
def test_the_network_renders_actors_and_engagements_offline(browser, server):
    expected = requests.get(server + "/network.json", timeout=30).json()
    page = Page(browser, server)
    status = page.open(server + "/network", "#network-status")
    assert int(status["nodes"]) == len(expected["nodes"]) and int(status["edges"]) == len(expected["edges"])
    drawn = page.page.evaluate("window.paradiplomacyNetwork.nodes().map(n => n.id())")
    assert {"jiangxi", "zambia", "hebei-drc-medical-teams", "ziec"} <= set(drawn)
    box = page.page.evaluate("window.paradiplomacyNetwork.nodes('#jiangxi').renderedBoundingBox()")
    assert box["w"] > 0 and box["h"] > 0  # laid out and drawn on the canvas
    assert page.errors == [] and page.offsite == []
    page.page.evaluate("window.paradiplomacyNetwork.nodes('#jiangxi').emit('tap')")
    page.page.wait_for_url(server + "/resource/jiangxi")


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
