"""The query interface in a real browser: Debian's Chromium, headless, driven by Playwright. It
opens the interface, runs the example queries and sees their results, follows a result's link to
its page, and never reaches any address but the server's (YASGUI is vendored) nor runs a script
from the data."""

from __future__ import annotations

import pytest
from browsers import Browser, needs_chromium
from conftest import ROOT

pytestmark = [needs_chromium, pytest.mark.slow]
REAL_EXAMPLES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))

RUN_EXAMPLE = """async (name) => {
  const yasgui = window.paradiplomacyYasgui;
  const answered = new Promise(resolve => yasgui.once("queryResponse", (_, tab) => resolve(tab)));
  document.querySelector(`button.example[data-name="${name}"]`).click();
  const tab = await answered;
  const results = tab.getYasr().results;
  const error = results.getError();
  return {tab: tab.getName(), type: results.getType(), error: error ? (error.text || String(error.status)) : null,
          rows: results.getBindings() ? results.getBindings().length : null, query: tab.getQuery()};
}"""


@pytest.fixture
def browser(playwright, server, tmp_path):
    b = Browser(playwright, tmp_path / "profile", server.url)
    yield b
    b.context.close()


def run_example(browser, name: str):
    """Open the interface, run an example, wait for its result table: (page, outcome)."""
    page = browser.open("/query")
    page.wait_for_selector(".CodeMirror")
    outcome = page.evaluate(RUN_EXAMPLE, name)
    assert outcome["error"] is None, outcome
    page.wait_for_selector(".yasr table tbody tr")
    return page, outcome


def test_the_interface_runs_an_example_and_links_results_to_their_pages(browser):
    page, outcome = run_example(browser, "lobbying")
    assert outcome["rows"] == 1 and outcome["tab"] == "Who lobbied which central body, for what?"
    assert "Chongqing" in page.inner_text(".yasr table tbody")
    links = page.eval_on_selector_all(".yasr table a.iri", "as => as.map(a => a.getAttribute('href'))")
    assert "/resource/chongqing" in links and "/resource/ministry-of-commerce" in links
    page.click(".yasr table a[href='/resource/chongqing']")
    page.wait_for_url("**/resource/chongqing")
    assert "Chongqing, for example, successfully lobbied" in page.inner_text("main")
    assert browser.problems == []


def test_an_example_without_prefix_declarations_runs(browser):
    page, outcome = run_example(browser, "quotes")
    assert outcome["rows"] >= 2 and "PREFIX oa: <http://www.w3.org/ns/oa#>" in outcome["query"]
    assert "successfully lobbied the Ministry of Commerce" in page.inner_text(".yasr table tbody")
    assert browser.problems == []


def test_markup_from_the_data_runs_no_script_in_the_interface_or_the_pages(browser):
    page, outcome = run_example(browser, "markup")
    assert outcome["rows"] >= 2
    assert "<script>alert('label')</script>" in page.inner_text(".yasr table tbody")
    for path in (
        "/resource/markup-state",
        "/resource/claim-markup-labour-division",
        "/ontology",
        "/resource/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ):
        other = browser.open(path)
        other.wait_for_load_state("load")
        assert "<script>alert(" in other.inner_text("main")
    assert browser.problems == []


def test_a_failing_query_shows_the_servers_message(browser):
    page = browser.open("/query")
    page.wait_for_selector(".CodeMirror")
    outcome = page.evaluate("""async () => {
      const yasgui = window.paradiplomacyYasgui;
      const answered = new Promise(resolve => yasgui.once("queryResponse", (_, tab) => resolve(tab)));
      const tab = yasgui.getTab();
      tab.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }");
      tab.query();
      const error = (await answered).getYasr().results.getError();
      return error && error.text;
    }""")
    assert "is not allowed" in outcome
    assert browser.problems == []


@pytest.fixture(scope="module")
def real_browser(playwright, real_server, tmp_path_factory):
    b = Browser(playwright, tmp_path_factory.mktemp("profile"), real_server.url)
    page = b.open("/query")
    page.wait_for_selector(".CodeMirror")
    yield b, page
    b.context.close()


@pytest.mark.parametrize("name", REAL_EXAMPLES)
def test_every_competency_question_runs_in_the_browser(real_browser, name):
    browser, page = real_browser
    outcome = page.evaluate(RUN_EXAMPLE, name)
    assert outcome["error"] is None, outcome
    assert outcome["type"] in ("json", "boolean") and outcome["rows"] is not None, outcome
    assert browser.problems == []
