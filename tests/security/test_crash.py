"""A build killed with SIGKILL midway leaves the previous store intact and queryable, and the next
build succeeds."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, sources_dir

from paradiplomacy.evidence.synthetic import generate
from paradiplomacy.store import OxigraphStore

pytestmark = pytest.mark.slow  # real servers, processes or a browser

LOBBYING = "SELECT ?who WHERE { ?l a pd:LobbyingForSelection ; pd:lobbiedBy ?who }"


def start_build(home, store, sources):
    env = dict(
        os.environ, PARADIPLOMACY_HOME=str(home), PARADIPLOMACY_STORE=str(store), PARADIPLOMACY_SOURCES=str(sources)
    )
    return subprocess.Popen(
        [sys.executable, "-m", "paradiplomacy", "build", "--no-reason"], env=env, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("stage", ["reading", "writing"])
def test_sigkill_during_build_keeps_the_previous_store(mini_project, tmp_path, stage):
    store = tmp_path / "store"
    first = start_build(mini_project, store, sources_dir())
    assert first.wait(timeout=300) == 0, first.stderr.read()
    before = OxigraphStore(store, read_only=True)
    expected = before.query(LOBBYING).rows
    size = len(before)
    before.close()

    big = tmp_path / "big"
    generate(big, 2500, seed=3, ontology_dir=ROOT / "ontology")
    proc = start_build(big, store, big / "data" / "sources")
    for line in proc.stderr:  # kill as soon as the stage starts
        if line.startswith(stage):
            if stage == "writing":
                time.sleep(0.3)  # let it get into the write
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=300) == -signal.SIGKILL

    after = OxigraphStore(store, read_only=True)
    assert after.query(LOBBYING).rows == expected and len(after) == size
    after.close()
    again = start_build(big, store, big / "data" / "sources")
    assert again.wait(timeout=600) == 0, again.stderr.read()
    final = OxigraphStore(store, read_only=True)
    assert final.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a pd:Claim }").rows[0][0].toPython() == 2500
    # the killed build's partial generation is gone; the previous one is kept for open readers
    assert len(list(store.glob("gen-*"))) == 2
