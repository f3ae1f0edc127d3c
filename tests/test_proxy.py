"""Behind a reverse proxy, over HTTP against `paradiplomacy serve` (waitress) on 127.0.0.1:

- with public_url, VoID, the service description, the pages and redirects advertise it, whatever Host
  the request claims, and the path prefix works whether the proxy strips it or not;
- with a trusted proxy, its X-Forwarded-Proto/-Host are believed, from that address only;
- with neither, a request's Host and X-Forwarded-* headers change nothing: the listening address;
- pages, descriptions and query answers carry an ETag and Last-Modified from the store's generation;
  If-None-Match and If-Modified-Since get 304; a write (a new generation) makes them stale.
"""

from __future__ import annotations

import pytest
import rdflib
import requests
from web_servers import UPDATE_TOKEN, start, web_project

pytestmark = pytest.mark.slow
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
HOSTILE = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("public")
    s = start(
        tmp,
        web_project(tmp),
        public_url="https://kg.example.org/kg/",
        workers=1,
        updates="yes",
        update_token=UPDATE_TOKEN,
    )
    yield s
    s.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proxied")
    s = start(tmp, web_project(tmp), trusted_proxy="127.0.0.1", workers=1)
    yield s
    s.stop()


def advertised(url: str, headers: dict) -> tuple[str, str]:
    """(VoID's void:sparqlEndpoint, the service description's sd:endpoint) as the server writes them."""
    void = rdflib.Graph().parse(
        data=requests.get(url + "/.well-known/void", headers={**headers, "Accept": "text/turtle"}, timeout=60).text,
        format="turtle",
    )
    sd = rdflib.Graph().parse(
        data=requests.get(url + "/sparql", headers={**headers, "Accept": "text/turtle"}, timeout=60).text,
        format="turtle",
    )
    return str(next(void.objects(None, VOID.sparqlEndpoint))), str(next(sd.objects(None, SD.endpoint)))


def test_public_url_is_what_is_advertised_whatever_the_host_header(public):
    assert advertised(public.url, HOSTILE) == ("https://kg.example.org/kg/sparql", "https://kg.example.org/kg/sparql")
    page = requests.get(public.url + "/", headers=HOSTILE, timeout=60).text
    assert "https://kg.example.org/kg/sparql" in page and "evil.example" not in page
    for path in ("/sparql", "/kg/sparql"):  # a proxy that strips the prefix, and one that does not
        browser = requests.get(
            public.url + path, headers={**HOSTILE, "Accept": "text/html"}, allow_redirects=False, timeout=60
        )
        assert browser.status_code == 303 and browser.headers["Location"] in (
            "/kg/query",
            "https://kg.example.org/kg/query",
        )  # the query interface
    resource = requests.get(public.url + "/kg/resource/chongqing", headers={"Accept": "text/html"}, timeout=60)
    assert resource.status_code == 200 and 'href="/kg/ontology' in resource.text


def test_a_trusted_proxy_is_believed(proxied):
    forwarded = {"X-Forwarded-Host": "proxy.example.org", "X-Forwarded-Proto": "https"}
    assert advertised(proxied.url, forwarded) == ("https://proxy.example.org/sparql",) * 2


def test_without_public_url_or_proxy_host_headers_change_nothing(server):
    assert advertised(server.url, HOSTILE) == (f"{server.url}/sparql",) * 2


def test_etag_and_last_modified_give_304_until_the_store_changes(public):
    query = {"query": "SELECT ?s WHERE { ?s a ?type } LIMIT 3"}
    targets = [
        ("/resource/chongqing", {"Accept": "text/html"}, None),
        ("/ontology", {"Accept": "text/turtle"}, None),
        ("/.well-known/void", {"Accept": "text/turtle"}, None),
        ("/sparql", {"Accept": "application/sparql-results+json"}, query),
    ]
    first = {}
    for path, headers, params in targets:
        answer = requests.get(public.url + path, headers=headers, params=params, timeout=60)
        assert answer.status_code == 200 and answer.headers["ETag"].startswith('W/"'), path
        assert answer.headers["Last-Modified"] and answer.headers["Cache-Control"] == "no-cache"
        first[path] = answer.headers["ETag"], answer.headers["Last-Modified"]
        again = requests.get(
            public.url + path, params=params, timeout=60, headers={**headers, "If-None-Match": answer.headers["ETag"]}
        )
        assert again.status_code == 304 and not again.content and again.headers["ETag"] == answer.headers["ETag"]
        since = requests.get(
            public.url + path,
            params=params,
            timeout=60,
            headers={**headers, "If-Modified-Since": answer.headers["Last-Modified"]},
        )
        assert since.status_code == 304
    json_etag = first["/sparql"][0]
    other = requests.get(public.url + "/sparql", params=query, headers={"Accept": "text/csv"}, timeout=60)
    assert other.headers["ETag"] != json_etag  # another representation, another tag
    assert public.update("INSERT DATA { GRAPH <urn:x-test:g> { <urn:x-test:a> <urn:x-test:p> 1 } }").status_code == 204
    stale = requests.get(
        public.url + "/sparql",
        params=query,
        timeout=60,
        headers={"Accept": "application/sparql-results+json", "If-None-Match": json_etag},
    )
    assert stale.status_code == 200 and stale.headers["ETag"] != json_etag
