"""The w3id rules (paradiplomacy.w3id, the .htaccess of https://w3id.org/paradiplomacy/) played in Apache
httpd with mod_rewrite, as w3id.org runs them, against a local `paradiplomacy serve`: each IRI answers
303 to the RDF (by the Accept header) or the HTML page of its resource, and the target answers it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
from remote_servers import _stop, free_port

from paradiplomacy.release import ONTOLOGY_FORMATS
from paradiplomacy.w3id import RELEASE_SUFFIXES, htaccess

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
RELEASES = "http://127.0.0.1:9/releases"  # only the Location is checked: nothing listens there
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(APACHE).is_file(),
        reason="Apache httpd is absent: `bash scripts/ensure-system-deps` installs apache2-bin",
    ),
]


@pytest.fixture(scope="module")
def w3id(server):
    """Apache on 127.0.0.1 with the rules for the local server in its folder paradiplomacy/."""
    root = Path(tempfile.mkdtemp(prefix="w3id-"))
    os.chmod(root, 0o755)  # Apache reads the rules as an unprivileged user
    site = root / "htdocs" / "paradiplomacy"
    site.mkdir(parents=True)
    (site / ".htaccess").write_text(htaccess(server.url + "/", RELEASES))
    for p in (root / "htdocs", site, site / ".htaccess"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    port = free_port()
    (root / "httpd.conf").write_text(f"""ServerRoot {root}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {root}/httpd.pid
ErrorLog {root}/error.log
LogLevel warn rewrite:trace2
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule rewrite_module {MODULES}/mod_rewrite.so
User nobody
Group nogroup
DocumentRoot {root}/htdocs
<Directory {root}/htdocs>
  AllowOverride All
  Require all granted
</Directory>
""")
    proc = subprocess.Popen(
        [APACHE, "-X", "-f", str(root / "httpd.conf")], stdout=subprocess.DEVNULL, stderr=open(root / "stderr.log", "w")
    )
    url = f"http://127.0.0.1:{port}/paradiplomacy/"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "sparql", allow_redirects=False, timeout=2)
            break
        except requests.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, (root / "stderr.log").read_text()
            time.sleep(0.2)
    yield url
    _stop(proc)
    shutil.rmtree(root, ignore_errors=True)


CASES = [  # (path under w3id, Accept, the media type of the answer the redirect leads to)
    ("resource/chongqing", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("resource/chongqing", "text/turtle", "text/turtle"),
    ("resource/chongqing", "application/rdf+xml", "application/rdf+xml"),
    ("resource/chongqing", "application/ld+json", "application/ld+json"),
    ("resource/chongqing", "application/n-triples", "application/n-triples"),
    ("resource/chongqing", "*/*", "text/html"),
    ("ontology", "text/html", "text/html"),
    ("ontology", "text/turtle;q=1.0, application/rdf+xml;q=0.5", "text/turtle"),
    ("ontology", "application/ld+json", "application/ld+json"),
    ("", "text/html", "text/html"),
    ("", "text/turtle", "text/turtle"),
    ("graph/ontology", "text/html", "text/html"),
    ("graph/ontology", "application/trig", "application/trig"),
]


@pytest.mark.parametrize(("path", "accept", "media_type"), CASES)
def test_each_iri_redirects_303_to_what_the_server_answers(w3id, server, path, accept, media_type):
    hop = requests.get(w3id + path, headers={"Accept": accept}, allow_redirects=False, timeout=30)
    assert hop.status_code == 303, hop.text
    assert hop.headers["Location"].startswith(server.url + "/")
    answer = requests.get(hop.headers["Location"], headers={"Accept": accept}, timeout=60)
    assert answer.status_code == 200 and answer.headers["Content-Type"].split(";")[0] == media_type


def test_version_iris_lead_to_that_versions_release_files(w3id):
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "rdfxml"),
        ("application/ld+json", "jsonld"),
    ):
        hop = requests.get(w3id + "ontology/0.1.0", headers={"Accept": accept}, allow_redirects=False, timeout=30)
        suffix = RELEASE_SUFFIXES[fmt]
        assert suffix in ONTOLOGY_FORMATS  # a file that `paradiplomacy release` writes
        assert (hop.status_code, hop.headers["Location"]) == (303, f"{RELEASES}/0.1.0/ontology-0.1.0.{suffix}")
    page = requests.get(w3id + "ontology/0.1.0", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30)
    assert page.headers["Location"] == f"{RELEASES}/0.1.0/ontology/index.html"


def test_the_endpoint_keeps_the_method_and_the_query(w3id, server):
    hop = requests.post(w3id + "sparql", data={"query": "ASK {}"}, allow_redirects=False, timeout=30)
    assert hop.status_code == 307 and hop.headers["Location"] == server.url + "/sparql"
    answer = requests.get(
        w3id + "sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )  # followed: the query string goes along
    assert answer.status_code == 200 and answer.json()["boolean"] is True
