"""`paradiplomacy serve` as a user starts it: a subprocess on 127.0.0.1 that builds its empty store on
first start, then answers with its query worker processes."""

import pytest

pytestmark = pytest.mark.slow


def test_health_after_building_the_store_on_first_start(server):
    h = server.health()
    assert h == {"status": "ok", "generation": h["generation"]} and h["generation"].startswith("gen-")
    assert server.quads() > 1000
    assert len(server.worker_pids()) == 3  # the clients' 2, and the one kept for the pages' own queries
    assert "is empty: building it" in server.log.read_text()  # the fixture started it on an empty store
