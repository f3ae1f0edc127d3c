"""Load: benchmarks/load.py, bounded (50 clients for 10 s), against `paradiplomacy serve` on the
project's own graph: every request answered, none with an error. (docs/security.md gives the figures
of the full run, 50 clients for 60 s.)"""

import pytest
import json
import subprocess
import sys

from conftest import ROOT

pytestmark = pytest.mark.slow  # real servers, processes or a browser

CLIENTS, SECONDS = 50, 10


def test_fifty_clients_for_ten_seconds_get_no_error(real_server, tmp_path):
    figures_file = tmp_path / "load.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--url", real_server.url,
                             "--clients", str(CLIENTS), "--seconds", str(SECONDS), "--json", str(figures_file)],
                            capture_output=True, text=True, timeout=SECONDS + 180)
    print("\n" + result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(figures_file.read_text())
    assert figures["errors"] == 0 and figures["clients"] == CLIENTS
    assert figures["requests"] >= CLIENTS  # every client was answered at least once
    assert set(figures["by_kind"]) == {"query", "resource", "page"}
    assert real_server.health()["status"] == "ok"
