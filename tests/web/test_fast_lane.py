"""The fast lane (issue 14): a query that a worker answered quickly is answered in the server process when it
comes again on the same store generation, with the same answer; a rebuild, a failure, a SERVICE call or a
slow answer sends it back to the workers. An answer's pid tells where it was made."""

import os

import pyoxigraph as ox
import pytest
from conftest import make_config

from paradiplomacy.store import open_store
from paradiplomacy.web.pool import FastLane, WorkerPool
from paradiplomacy.web.worker import Answer, Failure, QueryJob

EX = "http://example.org/"
LABELS = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } ORDER BY ?o"


def write_labels(config, *labels: str) -> None:
    data = ox.Store()
    for i, label in enumerate(labels):
        s = ox.NamedNode(f"{EX}s{i}")
        data.add(
            ox.Quad(s, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(label), ox.NamedNode(EX))
        )
    store = open_store(config)
    store.replace_all_from(data)
    store.close()


def job(text: str = LABELS) -> QueryJob:
    return QueryJob(text, "json", "turtle", 100)


@pytest.fixture
def pool_config(tmp_path):
    config = make_config(tmp_path / "store", workers=1, query_timeout=30.0, fast_query_seconds=5.0)
    write_labels(config, "one", "two")
    return config


@pytest.fixture
def pool(pool_config):
    pool = WorkerPool(pool_config)
    yield pool
    pool.close()


def test_a_query_a_worker_answered_quickly_is_answered_again_in_the_server_process(pool):
    first, second = pool.run(job()), pool.run(job())
    assert first.pid in pool.pids()
    assert second.pid == os.getpid()
    assert second.body == first.body and b'"one"' in second.body
    assert pool.fast_lane.answered == 1


def test_a_rebuild_sends_the_query_back_to_a_worker_which_answers_from_the_new_generation(pool, pool_config):
    pool.run(job())
    assert pool.run(job()).pid == os.getpid()
    write_labels(pool_config, "three")
    after = pool.run(job())
    assert after.pid in pool.pids() and b'"three"' in after.body and b'"one"' not in after.body
    assert pool.run(job()).pid == os.getpid()


def test_other_bindings_or_another_format_are_another_query(pool):
    pool.run(job())
    assert pool.run(QueryJob(LABELS, "csv", None, 100)).pid in pool.pids()
    bound = QueryJob(LABELS, "json", None, 100, substitutions={"s": f"{EX}s0"})
    assert pool.run(bound).pid in pool.pids()
    assert pool.run(bound).pid == os.getpid()


def test_a_failed_query_is_never_answered_in_the_server_process(pool):
    broken = job("SELECT ?o WHERE { ?s ?p }")
    outcomes = [pool.run(broken), pool.run(broken)]
    assert all(isinstance(o, Failure) and o.status == 400 for o in outcomes)
    assert pool.fast_lane.answered == 0


def test_a_query_over_the_bound_stays_with_the_workers(pool_config):
    pool = WorkerPool(pool_config.with_overrides(fast_query_seconds=1e-9))
    try:
        assert [pool.run(job()).pid in pool.pids() for _ in range(3)] == [True] * 3
    finally:
        pool.close()


def test_the_bound_is_at_most_a_tenth_of_the_time_limit_and_0_turns_the_lane_off(pool_config):
    lane = FastLane(pool_config.with_overrides(query_timeout=0.2, fast_query_seconds=1.0))
    assert lane.seconds == pytest.approx(0.02)
    lane.close()
    pool = WorkerPool(pool_config.with_overrides(fast_query_seconds=0))
    try:
        assert pool.fast_lane is None and pool.run(job()).pid in pool.pids()
    finally:
        pool.close()


def test_a_query_that_calls_service_is_never_answered_in_the_server_process(pool_config):
    config = pool_config.with_overrides(service_allow=("http://127.0.0.1:9/sparql",))
    lane = FastLane(config)
    try:
        calls = job("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
        generation = open_store(config, read_only=True).generation
        lane.ran(calls, Answer(b"", "json", "select", generation=generation), 0.001)
        assert lane.run(calls) is None
        lane.ran(job(), Answer(b"", "json", "select", generation=generation), 0.001)
        assert lane.run(job()).pid == os.getpid()
    finally:
        lane.close()


def test_when_as_many_queries_as_workers_run_in_the_server_the_next_goes_to_a_worker(pool):
    pool.run(job())
    held = [pool.fast_lane._places.acquire(blocking=False) for _ in range(pool._config.workers)]
    try:
        assert all(held) and pool.run(job()).pid in pool.pids()
    finally:
        for _ in held:
            pool.fast_lane._places.release()
    assert pool.run(job()).pid == os.getpid()
