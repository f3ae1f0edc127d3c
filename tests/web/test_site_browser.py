"""Every page of the site in headless Chromium, on the project's own data: screenshots at 1400 and 375
pixels wide kept in tests/artifacts/ (the test prints where), axe-core (vendored in tests/fixtures/axe)
finding no serious or critical violation, no page wider than a 375-pixel screen. Then what a new user
does without reading the README: land on /, search for Jiangxi, open its page, see it on the map and in
the network, download the data. And a federated question whose service is unreachable: a short, wrapped
message."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from browsers import (
    ARTIFACTS,
    Browser,
    accessibility_violations,
    needs_chromium,
    screenshot,
)
from remote_servers import free_port
from web_servers import WIKIDATA, start, web_project

pytestmark = [needs_chromium, pytest.mark.slow]

PAGES = {
    "home": "/",
    "query": "/query",
    "browse": "/browse",
    "provinces": "/browse/provinces",
    "mechanisms": "/browse/mechanisms",
    "medical-teams": "/browse/engagements?type=https%3A%2F%2Fw3id.org%2Fparadiplomacy%2Fontology%23MedicalTeamTwinning",
    "sections": "/browse/sections",
    "sources": "/browse/sources",
    "search": "/search?q=Jiangxi",
    "jiangxi": "/resource/jiangxi",
    "claim": "/resource/claim-lenz-end-13-jiangxi-twinned-with-chad",
    "ontology": "/ontology",
    "void": "/.well-known/void",
    "service": "/service-description",
    "map": "/map",
    "network": "/network",
    "preview": "/reconcile/preview?id=jiangxi",
}
READY = {"map": "#map-status[data-rendered]", "network": "#network-status[data-rendered]", "query": ".CodeMirror"}


@pytest.fixture(scope="module")
def wide(playwright, real_server, tmp_path_factory):
    b = Browser(playwright, tmp_path_factory.mktemp("wide"), real_server.url, bypass_csp=True)
    yield b
    b.context.close()


@pytest.fixture(scope="module")
def narrow(playwright, real_server, tmp_path_factory):
    b = Browser(playwright, tmp_path_factory.mktemp("narrow"), real_server.url, width=375, height=800, bypass_csp=True)
    yield b
    b.context.close()


def opened(browser, name: str):
    page = browser.open(PAGES[name])
    page.wait_for_load_state("load")
    if name in READY:
        page.wait_for_selector(READY[name], state="attached", timeout=30000)
    return page


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_accessible_and_fits_a_phone(wide, narrow, name):
    page = opened(wide, name)
    shot = screenshot(page, f"{name}-1400")
    violations = accessibility_violations(page)
    small = opened(narrow, name)
    screenshot(small, f"{name}-375")
    overflow = small.evaluate("document.documentElement.scrollWidth")
    print(f"\n{name}: screenshots in {ARTIFACTS} ({shot.name}, {name}-375.png)")
    assert violations == [], violations
    assert accessibility_violations(small) == []
    assert overflow <= 375 + 1, f"{name} is {overflow} px wide on a 375 px screen"
    assert wide.problems == [] and narrow.problems == []
    page.close()
    small.close()


def test_a_new_user_finds_jiangxi_sees_it_on_the_map_and_in_the_network_and_downloads_the_data(wide, real_server):
    page = wide.open("/")
    assert "China's provinces as global actors" in page.inner_text("h1")
    page.fill("#home-search", "Jiangxi")
    option = page.wait_for_selector("ul.typeahead li[role=option] >> text=Jiangxi")
    assert "province-level unit" in page.inner_text("ul.typeahead")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(real_server.url + "/resource/jiangxi")
    assert option is not None and "Jiangxi" in page.inner_text("h1")
    assert "medical team" in page.inner_text("main").lower()  # its facts, with their claims' quotes
    page.click("text=on the map")
    page.wait_for_selector("#map-status[data-rendered]", state="attached", timeout=30000)
    pairs = page.eval_on_selector_all("path.pair-line", "els => els.map(e => e.getAttribute('data-pair'))")
    assert "jiangxi|zambia" in pairs and all("jiangxi" in p for p in pairs)
    page.go_back()
    page.click("text=in the network")
    page.wait_for_selector("#network-status[data-focus=jiangxi]", state="attached", timeout=30000)
    page.goto(real_server.url + "/")
    with page.expect_download() as download:
        page.click("a[href='/download/paradiplomacy-kg.trig']")
    path = download.value.path()
    graphs = {q.graph_name for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)}
    assert ox.NamedNode("https://w3id.org/paradiplomacy/resource/claim-lenz-end-13-jiangxi-twinned-with-chad") in graphs
    assert wide.problems == []


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """A server whose allowed SERVICE endpoint (Wikidata's) is routed to a port where nothing listens."""
    tmp = tmp_path_factory.mktemp("offline")
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    s = start(tmp, web_project(tmp), workers=1, service_allow=WIKIDATA, service_map=f"{WIKIDATA}={dead}")
    yield s
    s.stop()


def test_an_unreachable_service_is_a_short_wrapped_message(playwright, offline, tmp_path):
    browser = Browser(playwright, tmp_path / "profile", offline.url, width=375, height=800)
    try:
        page = browser.open("/query")
        page.wait_for_selector(".CodeMirror")
        text = page.evaluate(
            """async (query) => {
          const yasgui = window.paradiplomacyYasgui;
          const answered = new Promise(resolve => yasgui.once("queryResponse", (_, tab) => resolve(tab)));
          const tab = yasgui.getTab();
          tab.setQuery(query);
          tab.query().catch(() => {});  // the failure is read from the results below
          const error = (await answered).getYasr().results.getError();
          return error && error.text;
        }""",
            f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }} LIMIT 1",
        )
        assert text.startswith(f"The external service <{WIKIDATA}> is unreachable from this server"), text
        assert text.count(WIKIDATA) == 1 and len(text) < 200 and "127.0.0.1" not in text
        message = page.wait_for_selector(".yasr .errorResult pre")
        fits = message.evaluate("el => el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().right <= 376")
        screenshot(page, "unreachable-service-375")
        assert fits, "the message runs off the page"
        assert browser.problems == []
    finally:
        browser.context.close()
