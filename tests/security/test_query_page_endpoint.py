"""Issue #18, item 4: a crafted link must not point the query page at another endpoint. YASGUI reads
`#query=...&endpoint=...` from the URL, ran the query there about a second after load, and kept that
endpoint in localStorage for every later visit. Now the page keeps the query of a link but always asks
this server, and the Content-Security-Policy lets the page connect to this server only. Proven in
Chromium against a real server, with a listener on 127.0.0.1 as the other endpoint that must receive
no connection."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from browsers import Browser, needs_chromium
from web_servers import listener

pytestmark = [needs_chromium, pytest.mark.slow]
ENDPOINT_OF_THE_TAB = "window.paradiplomacyYasgui.getTab().getEndpoint()"


def test_a_link_naming_another_endpoint_runs_nothing_there_and_is_not_remembered(playwright, server, tmp_path):
    browser = Browser(playwright, tmp_path / "profile", server.url, only_the_server=False)
    try:
        with listener() as (elsewhere, connections):
            link = "/query#" + urlencode(
                {"query": "SELECT ?crafted WHERE { ?s ?p ?crafted } LIMIT 1", "endpoint": elsewhere}
            )
            page = browser.open(link)
            page.wait_for_selector(".CodeMirror")
            page.wait_for_timeout(3000)  # YASGUI ran a linked query about a second after load
            shown_query = page.evaluate("window.paradiplomacyYasgui.getTab().getQuery()")
            endpoint_now = page.evaluate(ENDPOINT_OF_THE_TAB)
            stored = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
            later = browser.open("/query")  # a later visit, without the link
            later.wait_for_selector(".CodeMirror")
            later.wait_for_timeout(1500)
            endpoint_later = later.evaluate(ENDPOINT_OF_THE_TAB)
        assert connections == [], "the page connected to the endpoint the link named"
        assert "?crafted" in shown_query  # the link's query is still shown: links to queries keep working
        assert endpoint_now == endpoint_later == server.url + "/sparql"
        assert elsewhere not in stored
    finally:
        browser.context.close()


def test_the_pages_may_connect_to_this_server_only(server):
    for path in ("/query", "/", "/resource/chongqing"):
        policy = requests.get(server.url + path, headers={"Accept": "text/html"}).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["connect-src"] == "'self'", (path, policy)
