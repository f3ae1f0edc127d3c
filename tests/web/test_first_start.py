"""`paradiplomacy serve` as a user starts it: a subprocess on 127.0.0.1 that builds its empty store on
first start, then answers with its query worker processes."""

import pytest

pytestmark = pytest.mark.slow


def test_health_after_building_the_store_on_first_start(server):
    h = server.health()
    assert h["status"] == "ok" and h["quads"] > 1000 and len(h["workers"]) == 2 and h["generation"].startswith("gen-")
    assert "is empty: building it" in server.log.read_text()  # the fixture started it on an empty store
