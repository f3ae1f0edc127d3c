"""Endpoint benchmarks (issue 7), measured in one run, side by side, with ratios.

For each scale (a number of quads, reached with `paradiplomacy generate` claims), it:
- builds the store (`paradiplomacy build`) in a child process: wall time, quads in the store,
  quads per second, peak resident memory of the build's process tree, and the time of each phase
  (the build's own breakdown, else the times of its progress lines). With reasoning; if the build
  refuses it (over PARADIPLOMACY_REASONING_LIMIT), without (--reason). A store more than 10% off
  the target size is generated and built once more with the claims scaled to fit;
- starts `paradiplomacy serve` on the existing store and times it to the first answer to a query
  (--serve-trials times);
- times every competency question (queries/*.rq without SERVICE): a warm-up, then up to --reps
  repetitions (fewer for slow engines, within --budget seconds per question), interleaved across
  the engines so that other work on the machine weighs on each alike; p50 and p99 latency against
  the raw engine in-process (pyoxigraph with our server's query semantics, the answer serialised
  in full: the floor), our server, the Oxigraph server and rdflib-endpoint over HTTP; every engine
  has the same time limit per query (--timeout), and what timed out at a smaller scale is not
  tried again at a larger one (--retry-timeouts);
- checks that the engines agree: the same number of rows, and the same rows (compared in a normal
  form: blank nodes blurred, numbers by value);
- measures throughput with --clients concurrent clients, each sending the competency questions
  in turn for --duration seconds: queries per second and errors, for our server (with each
  --ours-workers count), the Oxigraph server and rdflib-endpoint, one at a time;
- prints a plain-text report, and writes it as Markdown (--markdown) and every raw figure as
  JSON (--json).

Our server runs with the benchmark's time limit (PARADIPLOMACY_QUERY_TIMEOUT) and, unless
--keep-row-cap, with a row cap above any answer here, so that every engine returns whole answers.
Everything listens on 127.0.0.1 only, and every server it starts is stopped at the end (also on
SIGTERM).

Usage:
  python benchmarks/endpoint.py --triples 1e4 1e5 1e6 --markdown var/bench/endpoint.md --json var/bench/endpoint.json
  python benchmarks/endpoint.py --claims 300 --reps 2 --engines ours raw oxigraph      # a quick look
  python benchmarks/endpoint.py --store-from var/bench --triples 1e5   # reuse the stores built before
  python benchmarks/endpoint.py --report-from var/bench/endpoint.json  # the report again

Needs `pip install -e '.[bench]'` (rdflib-endpoint, uvicorn, psutil, oxigraph); without
rdflib-endpoint its columns are left out, and said so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_engines import (  # noqa: E402
    ROOT,
    Engine,
    OursEngine,
    Outcome,
    OxigraphServerEngine,
    RawEngine,
    RdflibEngine,
    ServerEngine,
    Timing,
    TreeMemory,
    competency_questions,
    log,
    paradiplomacy_command,
    rdflib_endpoint_missing,
    stop_all,
    summarise,
)

ENGINES = {
    "raw": "raw",
    "ours": "ours",
    "oxigraph": "oxigraph-server",
    "oxigraph-server": "oxigraph-server",
    "rdflib": "rdflib-endpoint",
    "rdflib-endpoint": "rdflib-endpoint",
}
ORDER = ["raw", "ours", "oxigraph-server", "rdflib-endpoint"]
# quads in a built store ~ QUADS_PER_CLAIM * claims + QUADS_FIXED (measured: 300 claims 12,307 quads,
# 3,000 claims 119,898 quads, reasoning included); `paradiplomacy generate` writes at least ~190 claims
QUADS_PER_CLAIM = 39.85
QUADS_FIXED = 350
TARGETS = {
    "ours_over_raw": 1.5,
    "rdflib_over_ours": 10.0,
    "build_rate": 150_000,
    "peak_bytes": 2 * 2**30,
    "serve_seconds": 3.0,
    # issue 14: against the Oxigraph server and pyoxigraph's bulk_load, measured in the same run
    "ours_over_oxigraph": 1.5,
    "build_over_bulk_load": 0.5,
    "peak_bytes_14": 1.5 * 2**30,
}
BULK_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.flush()
"""
BIG_ROW_CAP = 1_000_000_000
PAPER = "paper"  # the label of the project's own graph (--paper)


def claims_for(quads: float) -> int:
    return max(100, round((quads - QUADS_FIXED) / QUADS_PER_CLAIM))


def scale_label(n: float) -> str:
    n = float(n)
    exp = round(math.log10(n)) if n > 0 else 0
    return f"1e{exp}" if n == 10**exp else str(int(n))


# ---- percentiles ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank: with fewer than 100 values, p99 is the largest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def geomean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


# ---- build ---------------------------------------------------------------------------------------

PHASES = [("validate", "reading and validating"), ("reason", "reasoning ("), ("write", "writing "), ("report", "read ")]


def run_command(cmd: list[str], log_path: Path, env: dict | None = None, echo: str = "") -> tuple[int, list]:
    """Run a command to its end; its output lines with their times (seconds since start), echoed."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    lines = []
    with open(log_path, "w") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
            bufsize=1,
        )
        for line in proc.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
            out.write(line)
            if echo:
                log(f"  {echo}: {line.rstrip()}")
        proc.wait()
    return proc.returncode, lines


class BuildFailed(RuntimeError):
    def __init__(self, message: str, output: str):
        super().__init__(message)
        self.output = output


def time_build(
    project: Path, store: Path, logs: Path, reason: bool = True, sources: str | None = "data/sources"
) -> dict:
    """`paradiplomacy build` in a child process: time, quads, rate, peak memory, phases. `sources`: the
    source texts' directory within the project (None: the project's own setting)."""
    cmd = paradiplomacy_command() + ["--home", str(project), "--store", str(store), "build"]
    if not reason:
        cmd.append("--no-reason")
    env = dict(os.environ)
    if sources is not None:
        env["PARADIPLOMACY_SOURCES"] = str(project / sources)
    env.pop("PARADIPLOMACY_BACKEND", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, text=True, bufsize=1
    )
    memory = TreeMemory(proc.pid).start()
    lines = []
    with open(logs / "build.log", "w") as out:
        for line in proc.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
            out.write(line)
            log(f"  build: {line.rstrip()}")
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (and its waited-for children's)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    peak_tree = memory.stop()
    text = "\n".join(line for _, line in lines)
    if proc.returncode != 0:
        raise BuildFailed(f"the build failed (exit {proc.returncode}): see {logs / 'build.log'}", text)
    quads = re.findall(r"store: (\d+) quads", text)
    if not quads:
        raise RuntimeError(f"the build did not say how many quads the store holds: see {logs / 'build.log'}")
    marks = {}
    for name, start in PHASES:
        marks[name] = next((t for t, line in lines if line.startswith(start)), None)
    phases = {}
    for (name, _), (after, _) in zip(PHASES, PHASES[1:]):
        if marks[name] is not None and marks[after] is not None:
            phases[name] = marks[after] - marks[name]
    reported = {}  # the build's own breakdown, where it gives one: "N quads in G named graphs (Ts: read Xs, ...)"
    m = re.search(r"quads in \d+ named graphs \([\d.]+s: (.*?)\)\s*$", text, re.M)
    if m:
        reported = {k.strip(): float(v) for k, v in re.findall(r"([\w ]+?) ([\d.]+)s(?:,|$)", m.group(1))}
    reasoner, inferred = {}, None
    m = re.search(r"inferred (\d+) triples .*?; (.*?)\) into", text)
    if m:
        inferred = int(m.group(1))
        reasoner = {k: float(v) for k, v in re.findall(r"([\w-]+) ([\d.]+)s", m.group(2))}
    peak_process = usage.ru_maxrss * 1024  # kilobytes on Linux
    return {
        "quads": int(quads[-1]),
        "seconds": seconds,
        "rate": int(quads[-1]) / seconds,
        "peak_tree_bytes": max(peak_tree, peak_process),
        "peak_process_bytes": peak_process,
        "phases": phases,
        "reported_phases": reported,
        "reasoner": reasoner,
        "inferred": inferred,
    }


def generate_and_build(label: str, claims: int, directory: Path, reason: str) -> dict:
    """A fresh synthetic project of `claims` claims and its store: the build figures. With reason
    "auto", a build that refuses to reason (over PARADIPLOMACY_REASONING_LIMIT: the graph is too
    large for the machine's memory) is run again without reasoning."""
    project, store, logs = directory / "project", directory / "store", directory / "logs"
    directory.mkdir(parents=True, exist_ok=True)
    logs.mkdir(exist_ok=True)
    for stale in ("store", "dump.nq"):
        path = directory / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    log(f"[{label}] generating {claims} claims into {project}")
    started = time.perf_counter()
    code, lines = run_command(
        paradiplomacy_command() + ["--home", str(ROOT), "generate", "--claims", str(claims), "--out", str(project)],
        logs / "generate.log",
    )
    if code != 0:
        raise RuntimeError(f"generate failed: {lines[-3:]}")
    generate_seconds = time.perf_counter() - started
    log(f"[{label}] building the store at {store}")
    skipped = None
    try:
        figures = time_build(project, store, logs, reason=reason != "no")
    except BuildFailed as exc:
        if reason != "auto" or "REASONING_LIMIT" not in exc.output:
            raise
        skipped = next(line for line in exc.output.splitlines() if "REASONING_LIMIT" in line)
        log(f"[{label}] {skipped}")
        log(f"[{label}] building again without reasoning (--no-reason)")
        shutil.copy(logs / "build.log", logs / "build-refused.log")
        if store.exists():
            shutil.rmtree(store)
        figures = time_build(project, store, logs, reason=False)
    if reason == "no":
        skipped = "--no-reason"
    figures.update(claims=claims, generate_seconds=generate_seconds, reused=False, reasoning_skipped=skipped)
    log(
        f"[{label}] built {figures['quads']} quads in {figures['seconds']:.1f}s "
        f"({figures['rate']:.0f} quads/s, peak {figures['peak_tree_bytes'] / 2**20:.0f} MB)"
    )
    return figures


def build_paper(directory: Path) -> dict:
    """The project's own graph (this checkout's ontology/ and data/), built with reasoning into `directory`."""
    store, logs = directory / "store", directory / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if store.exists():
        shutil.rmtree(store)
    log(f"[{PAPER}] building the project's own graph at {store}")
    figures = time_build(ROOT, store, logs, reason=True, sources=None)
    claims = re.search(r"read (\d+) claims", (logs / "build.log").read_text())
    figures.update(claims=int(claims.group(1)) if claims else 0, reused=False, reasoning_skipped=None, target=None)
    return figures


def prepare_scale(
    label: str, claims: int, directory: Path, reuse: bool, reason: str = "auto", target: float | None = None
) -> dict:
    """The synthetic project and its built store (reused if asked and present): the build figures.
    With a target number of quads, a store more than 10% off it (as when the build could not
    reason, which adds a fifth) is generated and built once more with the claims scaled to fit."""
    if label == PAPER:
        return build_paper(directory)
    store, record = directory / "store", directory / "build.json"
    if reuse and record.is_file() and (store / "CURRENT").is_file():
        figures = json.loads(record.read_text())
        if (figures.get("target"), figures.get("claims")) in ((target, figures.get("claims")), (None, claims)):
            log(f"[{label}] reusing the store built earlier at {store} ({figures['quads']} quads)")
            return dict(figures, reused=True)
        log(f"[{label}] the store at {store} was built for another size: rebuilding")
    figures = generate_and_build(label, claims, directory, reason)
    if target and abs(figures["quads"] / target - 1) > 0.1:
        better = max(100, round(claims * (target - QUADS_FIXED) / max(figures["quads"] - QUADS_FIXED, 1)))
        log(f"[{label}] {figures['quads']} quads is more than 10% off {target:.0f}: again with {better} claims")
        first = {k: figures[k] for k in ("claims", "quads", "seconds", "rate", "peak_tree_bytes")}
        figures = generate_and_build(label, better, directory, "no" if figures["reasoning_skipped"] else reason)
        if reason == "auto" and figures["reasoning_skipped"] == "--no-reason":
            figures["reasoning_skipped"] = first_skip_note(directory)
        figures["first_try"] = first
    figures["target"] = target
    record.write_text(json.dumps(figures, indent=1))
    return dict(figures)


def first_skip_note(directory: Path) -> str:
    refused = directory / "logs" / "build-refused.log"
    text = refused.read_text() if refused.is_file() else ""
    return next((line for line in text.splitlines() if "REASONING_LIMIT" in line), "--no-reason")


def time_bulk_load(directory: Path) -> dict:
    """The baseline of the build: pyoxigraph's `bulk_load` of the same quads (the store's N-Quads export) into
    an empty on-disk store, in a child process: quads per second and the peak memory of its process tree."""
    dump, _ = export_dump(directory)
    quads = sum(1 for line in open(dump, "rb") if line.strip())
    target = directory / "bulk-load-store"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", BULK_LOAD, str(dump), str(target)], stdin=subprocess.DEVNULL)
    memory = TreeMemory(proc.pid).start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    peak = max(memory.stop(), usage.ru_maxrss * 1024)
    shutil.rmtree(target, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("bulk_load of the dump failed")
    return {"quads": quads, "seconds": seconds, "rate": quads / seconds, "peak_tree_bytes": peak}


def export_dump(directory: Path) -> tuple[Path, float | None]:
    dump = directory / "dump.nq"
    if dump.is_file() and dump.stat().st_mtime >= (directory / "store" / "CURRENT").stat().st_mtime:
        return dump, None
    started = time.perf_counter()
    home = directory / "project" if (directory / "project").is_dir() else ROOT  # --paper: the project itself
    code, lines = run_command(
        paradiplomacy_command()
        + ["--home", str(home), "--store", str(directory / "store"), "export", "--format", "nquads", "-o", str(dump)],
        directory / "logs" / "export.log",
    )
    if code != 0:
        raise RuntimeError(f"export failed: {lines[-3:]}")
    return dump, time.perf_counter() - started


# ---- latency and throughput ----------------------------------------------------------------------


def client_timeout(engine: Engine, timeout: float) -> float:
    """Servers stop a query at the time limit themselves; the client waits a little longer."""
    return timeout + 5 if isinstance(engine, ServerEngine) else timeout


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    v = seconds * 1000
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


class Runner:
    """One engine's client, and what to do when it gives up on a query."""

    def __init__(self, engine: Engine, args):
        self.engine, self.args = engine, args
        self.client = engine.client()
        self.limit = client_timeout(engine, args.timeout)

    def __call__(self, query) -> Outcome:
        outcome = self.client(query, self.limit)
        if not outcome.ok and outcome.timeout:
            self.engine.recover(self.args.recover)
        return outcome

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close:
            close()


def _failed(t: Timing, outcome, label: str, name: str, when: str) -> None:
    t.status, t.error = ("timeout" if outcome.timeout else "error"), outcome.error
    log(f"  {label:16} {name:34} {t.status}{when}: {outcome.error[:200]}")


def measure_queries(engines: list[Engine], queries, args, table: dict, timed_out: dict) -> None:
    """Each question on every engine: a warm-up each (whose answer is checked), then repetitions
    interleaved across the engines (engine A, B, C, A, B, C, ...), so that anything else running on
    the machine weighs on every engine alike. A slow engine does fewer repetitions (within
    args.budget seconds, at least args.min_reps); one that fails or times out stops there.
    `timed_out` (engine -> questions) holds what timed out at a smaller scale: not tried again
    (unless --retry-timeouts), reported as beyond the time limit; what times out here is added."""
    runners = [Runner(e, args) for e in engines]
    try:
        for q in queries:
            per = table.setdefault(q.name, {})
            reps = {}
            for r in runners:
                t = per.setdefault(r.engine.label, Timing())
                if q.name in timed_out.get(r.engine.label, ()) and not args.retry_timeouts:
                    t.status, t.error = "timeout", f"timed out at a smaller scale (> {args.timeout:g} s): not tried"
                    continue
                outcome = r(q)
                t.warmup = outcome.seconds
                if outcome.ok:
                    try:
                        t.rows, t.digest = summarise(outcome)
                    except Exception as exc:  # an answer we cannot read is an error of that engine
                        outcome.ok, outcome.error = False, f"unreadable answer: {type(exc).__name__}: {exc}"
                if not outcome.ok:
                    _failed(t, outcome, r.engine.label, q.name, "")
                    continue
                n = args.reps
                if outcome.seconds * n > args.budget:
                    n = max(args.min_reps, int(args.budget / max(outcome.seconds, 1e-6)))
                reps[r] = n
            for i in range(max(reps.values(), default=0)):
                for r in runners:
                    if reps.get(r, 0) <= i:
                        continue
                    t = per[r.engine.label]
                    outcome = r(q)
                    if not outcome.ok:
                        _failed(t, outcome, r.engine.label, q.name, " in a repetition")
                        reps[r] = 0
                        continue
                    t.times.append(outcome.seconds)
            for r in runners:
                if per[r.engine.label].status == "timeout":
                    timed_out.setdefault(r.engine.label, set()).add(q.name)
            log(
                f"  {q.name:34} "
                + "  ".join(f"{r.engine.label} {ms(percentile(per[r.engine.label].times, 50))}" for r in runners)
                + " ms (p50)"
            )
    finally:
        for r in runners:
            r.close()


def measure_throughput(engine: Engine, mix, args) -> dict:
    """args.clients threads, each with its own connection, sending the mix in turn (each starting
    at another question) for args.duration seconds; the last answers are awaited."""
    limit = client_timeout(engine, args.timeout)
    ok, errors, latencies, examples = [0], [0], [], []
    lock = threading.Lock()
    started = time.perf_counter()
    end = started + args.duration

    def client_loop(k: int) -> None:
        client = engine.client()
        i = k
        try:
            while time.perf_counter() < end:
                q = mix[i % len(mix)]
                i += 1
                outcome = client(q, limit)
                with lock:
                    if outcome.ok:
                        ok[0] += 1
                        latencies.append(outcome.seconds)
                    else:
                        errors[0] += 1
                        if len(examples) < 5:
                            examples.append(f"{q.name}: {outcome.error[:160]}")
        finally:
            close = getattr(client, "close", None)
            if close:
                close()

    threads = [threading.Thread(target=client_loop, args=(k,), daemon=True) for k in range(args.clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    result = {
        "clients": args.clients,
        "duration": args.duration,
        "elapsed": elapsed,
        "completed": ok[0],
        "errors": errors[0],
        "qps": ok[0] / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "error_examples": examples,
        "mix": [q.name for q in mix],
    }
    log(
        f"  {engine.label:16} {args.clients} clients: {result['qps']:.2f} q/s ({ok[0]} answers, "
        f"{errors[0]} errors in {elapsed:.1f}s)" + (f"; e.g. {examples[0]}" if examples else "")
    )
    return result


def agreement(per_engine: dict[str, Timing]) -> dict:
    answered = {e: t for e, t in per_engine.items() if t.rows is not None}
    missing = sorted(e for e, t in per_engine.items() if t.rows is None)
    rows = {e: t.rows for e, t in answered.items()}
    digests = {t.digest for t in answered.values()}
    if len(answered) < 2:
        verdict = "-"
    elif len(set(rows.values())) > 1:
        verdict = "rows differ: " + ", ".join(
            f"{e} {n}" for e, n in sorted(rows.items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER else 9)
        )
    elif len(digests) > 1:
        groups = {}
        for e, t in answered.items():
            groups.setdefault(t.digest, []).append(e)
        verdict = "same rows, values differ: " + " | ".join(", ".join(sorted(g)) for g in groups.values())
    else:
        verdict = "yes"
    return {"verdict": verdict, "rows": rows, "unanswered": missing}


# ---- one scale -----------------------------------------------------------------------------------


def run_scale(
    label: str, claims: int, target: float | None, args, queries, engines: list[str], timed_out: dict
) -> dict:
    directory = Path(args.workdir) / label
    stage = {}
    load = {"before": os.getloadavg()}  # other work on the machine weighs on every figure
    started = time.perf_counter()
    build = prepare_scale(label, claims, directory, args.reuse, args.reason, target)
    claims = build["claims"]
    stage["prepare"] = time.perf_counter() - started
    log(f"[{label}] pyoxigraph bulk_load of the same quads (the baseline of the build)")
    build["bulk_load"] = time_bulk_load(directory)
    log(f"[{label}] bulk_load: {build['bulk_load']['rate']:,.0f} quads/s")
    project, store = (ROOT if label == PAPER else directory / "project"), directory / "store"
    table: dict[str, dict[str, Timing]] = {}
    throughput, startup, peaks, notes, restarts = {}, {}, {}, [], {}
    running: list[Engine] = []

    def finish(engine: Engine) -> None:
        engine.stop()
        if engine.peak_rss:
            peaks[engine.label] = max(peaks.get(engine.label, 0), engine.peak_rss)
        if engine.restarts:
            restarts[engine.label] = engine.restarts

    def start(name: str, engine: Engine) -> None:
        """Start an engine; one that cannot start is noted, and the others go on."""
        try:
            engine.start()
        except Exception as exc:
            notes.append(f"{name} did not start: {type(exc).__name__}: {str(exc)[:500]}")
            log(f"[{label}] {name} did not start: {exc}")
            finish(engine)
            return
        startup.setdefault(engine.label, []).append(engine.startup_seconds)
        running.append(engine)

    try:
        t0 = time.perf_counter()
        if "ours" in engines:  # first, alone on the machine: serve to the first answer, n times
            ours = OursEngine(directory, args.timeout, project, store, args.ours_workers[0], args.row_cap, "ours")
            for trial in range(args.serve_trials):
                start("ours", ours)
                if ours not in running:
                    break
                log(f"[{label}] ours: serve to first answer {ours.startup_seconds:.2f}s (trial {trial + 1})")
                if trial < args.serve_trials - 1:
                    running.remove(ours)
                    finish(ours)
            if args.duration > 0:  # our server with other worker counts, for throughput (idle until then)
                for workers in args.ours_workers[1:]:
                    start(
                        f"ours with {workers} workers",
                        OursEngine(directory, args.timeout, project, store, workers, args.row_cap, f"ours-{workers}w"),
                    )
        if "raw" in engines:
            start("raw", RawEngine(store))
        if "oxigraph-server" in engines:
            start("oxigraph-server", OxigraphServerEngine(directory, args.timeout, store))
        if "rdflib-endpoint" in engines:
            try:
                dump, export_seconds = export_dump(directory)
            except Exception as exc:
                notes.append(f"rdflib-endpoint: no dump: {exc}")
            else:
                if export_seconds is not None:
                    notes.append(f"export to N-Quads for rdflib-endpoint: {export_seconds:.1f}s")
                log(f"[{label}] rdflib-endpoint: loading {dump} ({dump.stat().st_size / 2**20:.0f} MB)")
                start("rdflib-endpoint", RdflibEngine(directory, args.timeout, dump))
        stage["start"] = time.perf_counter() - t0
        log(
            f"[{label}] running: "
            + ", ".join(f"{e.label} (first answer after {e.startup_seconds:.2f}s)" for e in running)
        )

        t0 = time.perf_counter()
        ordered = sorted(running, key=lambda e: ORDER.index(e.label) if e.label in ORDER else ORDER.index("ours") + 0.5)
        measure_queries([e for e in ordered if e.label in ORDER], queries, args, table, timed_out)
        stage["latency"] = time.perf_counter() - t0

        if args.duration > 0:  # one server at a time under load; the others idle
            t0 = time.perf_counter()
            mix = mix_for(queries, table)
            for engine in ordered:
                if not engine.concurrent:
                    continue
                name = f"ours ({engine.workers} workers)" if isinstance(engine, OursEngine) else engine.label
                throughput[name] = measure_throughput(engine, mix, args)
            stage["throughput"] = time.perf_counter() - t0
    finally:
        for engine in running:
            finish(engine)

    stage["total"] = time.perf_counter() - started
    load["after"] = os.getloadavg()
    if restarts:
        notes.append(
            "restarted after a query they could not stop: " + ", ".join(f"{k} {v} times" for k, v in restarts.items())
        )
    return {
        "label": label,
        "claims": claims,
        "build": build,
        "startup": startup,
        "server_peak_bytes": peaks,
        "queries": {q: {e: vars(t) for e, t in per.items()} for q, per in table.items()},
        "agreement": {q: agreement(per) for q, per in table.items()},
        "throughput": throughput,
        "stage_seconds": stage,
        "notes": notes,
        "load_average": load,
    }


def mix_for(queries, table) -> list:
    """The questions our server answered (all of them if it did not run): the throughput mix."""
    answered = [q for q in queries if table.get(q.name, {}).get("ours", Timing(status="skipped")).status == "ok"]
    return answered or list(queries)


# ---- the report ----------------------------------------------------------------------------------


def stats(t: dict | None) -> tuple[float | None, float | None]:
    if not t or not t["times"]:
        return None, None
    return percentile(t["times"], 50), percentile(t["times"], 99)


def cell(t: dict | None, timeout: float) -> str:
    if t is None:
        return "-"
    if t["status"] == "timeout" and not t["times"]:
        return f"> {timeout:g} s" + (" †" if "not tried" in t["error"] else "")
    if not t["times"]:
        return t["status"]
    p50, p99 = stats(t)
    return f"{ms(p50)} / {ms(p99)}" + ("" if t["status"] == "ok" else " *")


def ratio(num: dict | None, den: dict | None, timeout: float) -> tuple[str, float | None]:
    a, b = stats(num)[0], stats(den)[0]
    if a is not None and b:
        return f"{a / b:.2f}x" if a / b < 10 else f"{a / b:.0f}x", a / b
    if num and num["status"] == "timeout" and not num["times"] and b:
        return f"> {timeout / b:.0f}x", None
    return "-", None


def query_rows(scale: dict, timeout: float) -> tuple[list[str], list[list[str]]]:
    engines = [e for e in ORDER if any(e in per for per in scale["queries"].values())]
    headers = ["question"] + [f"{e} p50 / p99 ms" for e in engines]
    if "ours" in engines and "raw" in engines:
        headers.append("ours/raw")
    if "ours" in engines and "oxigraph-server" in engines:
        headers.append("ours/oxigraph")
    if "ours" in engines and "rdflib-endpoint" in engines:
        headers.append("rdflib/ours")
    headers += ["rows", "agree"]
    rows = []
    for name, per in scale["queries"].items():
        row = [name] + [cell(per.get(e), timeout) for e in engines]
        if "ours/raw" in headers:
            row.append(ratio(per.get("ours"), per.get("raw"), timeout)[0])
        if "ours/oxigraph" in headers:
            row.append(ratio(per.get("ours"), per.get("oxigraph-server"), timeout)[0])
        if "rdflib/ours" in headers:
            row.append(ratio(per.get("rdflib-endpoint"), per.get("ours"), timeout)[0])
        agree = scale["agreement"][name]
        counts = sorted(set(agree["rows"].values()))
        row.append(str(counts[0]) if len(counts) == 1 else "/".join(map(str, counts)) if counts else "-")
        row.append(agree["verdict"] + (f"; none from {', '.join(agree['unanswered'])}" if agree["unanswered"] else ""))
        rows.append(row)
    return headers, rows


def ratios(scale: dict, num: str, den: str) -> list[tuple[str, float]]:
    out = []
    for name, per in scale["queries"].items():
        a, b = stats(per.get(num))[0], stats(per.get(den))[0]
        if a is not None and b:
            out.append((name, a / b))
    return out


def reasoning_seconds(build: dict) -> float | None:
    """The build's own figure for reasoning, else the time between its progress lines."""
    return build.get("reported_phases", {}).get("reasoning", build["phases"].get("reason"))


def summary_row(scale: dict, timeout: float) -> list[str]:
    b = scale["build"]
    serve = scale["startup"].get("ours")
    bulk = b.get("bulk_load")
    row = [
        f"{scale['label']} ({scale['claims']} claims)",
        f"{b['quads']:,}",
        f"{b['seconds']:.1f}",
        f"{b['rate']:,.0f}" + (f" ({b['rate'] / bulk['rate']:.0%} of bulk_load's {bulk['rate']:,.0f})" if bulk else ""),
        f"{b['peak_tree_bytes'] / 2**20:,.0f}",
        f"{reasoning_seconds(b):.1f}"
        if reasoning_seconds(b) is not None
        else ("not run" if b.get("reasoning_skipped") else "-"),
        f"{statistics.median(serve):.2f}" if serve else "-",
    ]
    r = ratios(scale, "ours", "raw")
    row.append(f"{geomean([v for _, v in r]):.2f}x / {max(v for _, v in r):.2f}x" if r else "-")
    r = ratios(scale, "ours", "oxigraph-server")
    row.append(f"{statistics.median([v for _, v in r]):.2f}x / {max(v for _, v in r):.2f}x" if r else "-")
    r = ratios(scale, "rdflib-endpoint", "ours")
    timeouts = sum(1 for per in scale["queries"].values() if per.get("rdflib-endpoint", {}).get("status") == "timeout")
    row.append(
        (f"{geomean([v for _, v in r]):.0f}x / {min(v for _, v in r):.1f}x" if r else "-")
        + (f" ({timeouts} > {timeout:g} s)" if timeouts else "")
    )
    tp = scale["throughput"]
    row.append(
        " / ".join(f"{tp[k]['qps']:.1f}" + (f" ({tp[k]['errors']} err)" if tp[k]["errors"] else "") for k in tp)
        if tp
        else "-"
    )
    return row


SUMMARY_HEADERS = [
    "scale",
    "quads",
    "build s",
    "quads/s",
    "build peak MB",
    "reasoning s",
    "serve to 1st answer s",
    "ours/raw p50: geo-mean / worst",
    "ours/oxigraph-server p50: median / worst",
    "rdflib/ours p50: geo-mean / least",
    "q/s at 16 clients",
]


def target_lines(scale: dict, timeout: float) -> list[str]:
    lines = []
    r = ratios(scale, "ours", "oxigraph-server")
    if r:
        worst = max(r, key=lambda kv: kv[1])
        met = sum(1 for _, v in r if v <= TARGETS["ours_over_oxigraph"])
        lines.append(
            f"HTTP p50 within {TARGETS['ours_over_oxigraph']}x of the Oxigraph server: {met} of {len(r)} "
            f"questions; worst {worst[1]:.2f}x ({worst[0]})" + ("" if met == len(r) else " - missed")
        )
    tp = scale["throughput"]
    if "oxigraph-server" in tp:
        best = max(((k, v["qps"]) for k, v in tp.items() if k.startswith("ours")), key=lambda kv: kv[1], default=None)
        if best:
            lines.append(
                f"throughput at least the Oxigraph server's: {best[0]} {best[1]:.1f} q/s against "
                f"{tp['oxigraph-server']['qps']:.1f}" + ("" if best[1] >= tp["oxigraph-server"]["qps"] else " - missed")
            )
    bulk = scale["build"].get("bulk_load")
    if bulk:
        share = scale["build"]["rate"] / bulk["rate"]
        lines.append(
            f"build at least {TARGETS['build_over_bulk_load']:.0%} of bulk_load's quads/s: {share:.0%} "
            f"({scale['build']['rate']:,.0f} against {bulk['rate']:,.0f})"
            + ("" if share >= TARGETS["build_over_bulk_load"] else " - missed")
        )
    peak = scale["build"]["peak_tree_bytes"]
    lines.append(
        f"build peak memory under 1.5 GiB: {peak / 2**20:,.0f} MB"
        + ("" if peak < TARGETS["peak_bytes_14"] else f" - missed by {peak / TARGETS['peak_bytes_14']:.1f}x")
    )
    r = ratios(scale, "ours", "raw")
    if r:
        worst = max(r, key=lambda kv: kv[1])
        met = sum(1 for _, v in r if v <= TARGETS["ours_over_raw"])
        lines.append(
            f"HTTP p50 within {TARGETS['ours_over_raw']}x of raw: {met} of {len(r)} questions; worst "
            f"{worst[1]:.2f}x ({worst[0]})" + ("" if met == len(r) else " - missed")
        )
    r = ratios(scale, "rdflib-endpoint", "ours")
    bounds = []  # questions rdflib-endpoint did not answer within the time limit: at least limit / ours
    for name, per in scale["queries"].items():
        rdf, ours = per.get("rdflib-endpoint"), stats(per.get("ours"))[0]
        if rdf and rdf["status"] == "timeout" and not rdf["times"] and ours:
            bounds.append((name, timeout / ours))
    if r or bounds:
        met = sum(1 for _, v in r + bounds if v >= TARGETS["rdflib_over_ours"])
        errors = sum(1 for per in scale["queries"].values() if per.get("rdflib-endpoint", {}).get("status") == "error")
        least = min(r, key=lambda kv: kv[1]) if r else min(bounds, key=lambda kv: kv[1])
        lines.append(
            f"at least {TARGETS['rdflib_over_ours']:g}x faster than rdflib-endpoint: {met} of {len(r) + len(bounds)} "
            f"questions ({len(bounds)} of them beyond its time limit"
            + (f"; {errors} more it fails on" if errors else "")
            + f"); least {least[1]:.1f}x ({least[0]})"
            + ("" if met == len(r) + len(bounds) else " - missed")
        )
    b = scale["build"]
    lines.append(
        f"build at least {TARGETS['build_rate']:,} quads/s: {b['rate']:,.0f}"
        + ("" if b["rate"] >= TARGETS["build_rate"] else f" - missed by {TARGETS['build_rate'] / b['rate']:.1f}x")
    )
    lines.append(
        f"build peak memory under 2 GiB: {b['peak_tree_bytes'] / 2**20:,.0f} MB"
        + (
            ""
            if b["peak_tree_bytes"] < TARGETS["peak_bytes"]
            else f" - missed by {b['peak_tree_bytes'] / TARGETS['peak_bytes']:.1f}x"
        )
    )
    serve = scale["startup"].get("ours")
    if serve:
        med = statistics.median(serve)
        lines.append(
            f"serve to first answer under {TARGETS['serve_seconds']:g} s: {med:.2f} s (median of {len(serve)})"
            + ("" if med < TARGETS["serve_seconds"] else f" - missed by {med / TARGETS['serve_seconds']:.1f}x")
        )
    return lines


def render(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        out = [
            "| " + " | ".join(headers) + " |",
            "| " + " | ".join("---" if i == 0 else "---:" for i in range(len(headers))) + " |",
        ]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def across_scales(results: dict, timeout: float) -> tuple[list[str], list[list[str]]]:
    """Per question and scale: our p50 with its ratio to raw, and rdflib-endpoint's ratio to ours."""
    scales = results["scales"]
    headers = ["question"]
    for s in scales:
        headers += [f"{s['label']}: rows", f"{s['label']}: ours p50 ms (x raw)", f"{s['label']}: rdflib/ours"]
    rows = []
    for name in results["queries"]:
        row = [name]
        for s in scales:
            per = s["queries"].get(name, {})
            counts = sorted(set(s["agreement"].get(name, {}).get("rows", {}).values()))
            row.append("/".join(map(str, counts)) or "-")
            p50 = stats(per.get("ours"))[0]
            over_raw = ratio(per.get("ours"), per.get("raw"), timeout)[0]
            row.append("-" if p50 is None else f"{ms(p50)} ({over_raw})" if over_raw != "-" else ms(p50))
            rdflib = per.get("rdflib-endpoint")
            row.append(
                ratio(rdflib, per.get("ours"), timeout)[0]
                if rdflib and rdflib["status"] != "error"
                else ("error" if rdflib else "-")
            )
        rows.append(row)
    return headers, rows


def report(results: dict, markdown: bool) -> str:
    timeout = results["settings"]["timeout"]
    h = "### " if markdown else ""
    engines = list(dict.fromkeys(k for s in results["scales"] for k in s["throughput"]))
    headers = SUMMARY_HEADERS[:-1] + [f"q/s at {results['settings']['clients']} clients: " + " / ".join(engines)]
    out = [render(headers, [summary_row(s, timeout) for s in results["scales"]], markdown), ""]
    if len(results["scales"]) > 1:
        out += [render(*across_scales(results, timeout), markdown), ""]
    for s in results["scales"]:
        b = s["build"]
        out.append(
            f"{h}{s['label']}: {b['quads']:,} quads from {s['claims']} claims"
            + (" (store reused from an earlier run)" if b.get("reused") else "")
        )
        out.append("")
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in (b.get("reported_phases") or b["phases"]).items())
        reasoner = ", ".join(f"{k} {v:.1f}s" for k, v in b["reasoner"].items())
        if b.get("reasoning_skipped"):
            out.append(f"Built without reasoning: {b['reasoning_skipped']}")
        out.append(
            f"Build {b['seconds']:.1f}s ({phases}; reasoners: {reasoner or '-'}, {b.get('inferred')} inferred), "
            f"{b['rate']:,.0f} quads/s, peak {b['peak_tree_bytes'] / 2**20:,.0f} MB (process tree; largest "
            f"process {b['peak_process_bytes'] / 2**20:,.0f} MB)."
        )
        starts = "; ".join(f"{e} {', '.join(f'{x:.2f}' for x in v)}" for e, v in s["startup"].items())
        out.append(f"Start to first answer, s: {starts}.")
        if s["server_peak_bytes"]:
            out.append(
                "Peak memory while serving: "
                + ", ".join(f"{e} {v / 2**20:,.0f} MB" for e, v in s["server_peak_bytes"].items())
                + "."
            )
        for note in s["notes"]:
            out.append(note + ".")
        out.append("")
        headers, rows = query_rows(s, timeout)
        out.append(render(headers, rows, markdown))
        out.append("")
        if any("†" in c for r in rows for c in r):
            out += ["† timed out at a smaller scale: not tried again.", ""]
        if s["throughput"]:
            tp_rows = [
                [
                    k,
                    str(v["clients"]),
                    f"{v['qps']:.2f}",
                    str(v["completed"]),
                    str(v["errors"]),
                    ms(v["p50"]),
                    ms(v["p99"]),
                ]
                for k, v in s["throughput"].items()
            ]
            out.append(
                render(["engine", "clients", "queries/s", "answers", "errors", "p50 ms", "p99 ms"], tp_rows, markdown)
            )
            out.append("")
        out.append("Targets (set for 10^6 quads):" if markdown else "targets (set for 10^6 quads):")
        out += [("- " if markdown else "  ") + line for line in target_lines(s, timeout)]
        stages = ", ".join(f"{k} {v:.0f}s" for k, v in s["stage_seconds"].items())
        out.append("")
        load = s.get("load_average", {})
        out.append(
            f"Time spent: {stages}."
            + (
                f" Load average (1, 5, 15 min) before {', '.join(f'{x:.1f}' for x in load['before'])}, after "
                f"{', '.join(f'{x:.1f}' for x in load['after'])}."
                if load.get("after")
                else ""
            )
        )
        out.append("")
    return "\n".join(out)


# ---- main ----------------------------------------------------------------------------------------


def versions() -> dict:
    out = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    for name in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "waitress", "flask", "uvicorn", "fastapi"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        out["memory_bytes"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    return out


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--triples", type=float, nargs="+", help="target quads per scale (default 1e4 1e5)")
    size.add_argument("--claims", type=int, nargs="+", help="synthetic claims per scale, instead of --triples")
    ap.add_argument(
        "--paper",
        action="store_true",
        help="also (or, without --triples and --claims, only) the project's own graph: its ontology/ and "
        "data/ built here, as `paradiplomacy build` builds them",
    )
    ap.add_argument(
        "--engines",
        nargs="+",
        default=["raw", "ours", "oxigraph", "rdflib"],
        choices=sorted(ENGINES),
        help="engines to time (default: all four)",
    )
    ap.add_argument(
        "--reason",
        choices=["auto", "yes", "no"],
        default="auto",
        help="build with reasoning (yes), without (no), or with it unless the build refuses it as "
        "over PARADIPLOMACY_REASONING_LIMIT, then without (auto, the default)",
    )
    ap.add_argument("--queries", nargs="+", help="only these competency questions (file names without .rq)")
    ap.add_argument("--reps", type=int, default=20, help="timed repetitions per question after a warm-up (default 20)")
    ap.add_argument("--min-reps", type=int, default=3, help="repetitions even for a slow engine (default 3)")
    ap.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds of repetitions per question and engine: fewer repetitions for slow engines (default 30)",
    )
    ap.add_argument(
        "--timeout", type=float, default=60.0, help="time limit of one query on every engine, s (default 60)"
    )
    ap.add_argument(
        "--recover",
        type=float,
        default=5.0,
        help="seconds to wait for a server still busy with a query the client gave up on, before "
        "restarting it (default 5)",
    )
    ap.add_argument(
        "--retry-timeouts",
        action="store_true",
        help="try again at a larger scale what timed out at a smaller one (default: reported as "
        "beyond the time limit without trying: it would only take longer)",
    )
    ap.add_argument(
        "--timeouts-from",
        metavar="JSON",
        help="what timed out in an earlier run (its --json) counts as timed out at a smaller scale",
    )
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients for throughput (default 16)")
    ap.add_argument(
        "--duration", type=float, default=20.0, help="seconds of throughput per engine; 0: none (default 20)"
    )
    ap.add_argument(
        "--ours-workers",
        type=int,
        nargs="+",
        default=[2, 4],
        help="query workers of our server: the first for latency and throughput, the others throughput only",
    )
    ap.add_argument("--serve-trials", type=int, default=3, help="starts of our server timed to the first answer")
    ap.add_argument(
        "--keep-row-cap",
        action="store_true",
        help="keep our server's row cap (PARADIPLOMACY_ROW_CAP) instead of lifting it above every answer",
    )
    ap.add_argument(
        "--workdir",
        default=str(ROOT / "var" / "bench"),
        help="where the synthetic projects, stores, dumps and logs go (default var/bench)",
    )
    ap.add_argument(
        "--store-from",
        metavar="DIR",
        help="reuse the projects, stores and dumps that an earlier run left in DIR (its --workdir), "
        "with the build figures it recorded",
    )
    ap.add_argument("--json", metavar="FILE", help="write every raw figure here")
    ap.add_argument(
        "--report-from",
        metavar="JSON",
        nargs="+",
        help="measure nothing: print (and --markdown) the report of an earlier run's --json",
    )
    ap.add_argument("--markdown", metavar="FILE", help="write the report as Markdown here")
    args = ap.parse_args(argv)
    if args.store_from:
        args.workdir, args.reuse = args.store_from, True
    else:
        args.reuse = False
    args.workdir = str(Path(args.workdir).resolve())  # the commands run with --home elsewhere
    args.row_cap = None if args.keep_row_cap else BIG_ROW_CAP
    return args


def _stop_on_sigterm(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # the servers started are stopped on the way out


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if args.report_from:
        results = json.loads(Path(args.report_from[0]).read_text())
        for more in args.report_from[1:]:  # the scales of other runs (same settings), in order of size
            results["scales"] += json.loads(Path(more).read_text())["scales"]
        results["scales"].sort(key=lambda s: s["build"]["quads"])
        print(report(results, markdown=False))
        if args.markdown:
            Path(args.markdown).write_text(report(results, markdown=True) + "\n")
        return 0
    if args.claims:
        scales = [(str(c) + "c", c, None) for c in args.claims]
    elif args.triples or not args.paper:
        scales = [(scale_label(t), claims_for(t), t) for t in (args.triples or [1e4, 1e5])]
    else:
        scales = []
    if args.paper:
        scales.insert(0, (PAPER, 0, None))
    engines = []
    for e in args.engines:
        if ENGINES[e] not in engines:
            engines.append(ENGINES[e])
    skipped = {}
    if "rdflib-endpoint" in engines and (why := rdflib_endpoint_missing()):
        engines.remove("rdflib-endpoint")
        skipped["rdflib-endpoint"] = why
        log(f"rdflib-endpoint left out: {why}")
    queries = competency_questions(ROOT / "queries", args.queries)
    if not queries:
        sys.exit("no competency questions to time")
    log(
        f"{len(queries)} competency questions; engines {', '.join(engines)}; scales "
        + ", ".join(f"{label} ({claims} claims)" for label, claims, _ in scales)
    )
    results = {
        "settings": {k: v for k, v in vars(args).items()},
        "machine": versions(),
        "skipped": skipped,
        "engines": engines,
        "queries": {q.name: q.question for q in queries},
        "scales": [],
    }
    timed_out: dict[str, set] = {}  # engine -> questions that timed out at a smaller scale
    if args.timeouts_from:
        for scale in json.loads(Path(args.timeouts_from).read_text())["scales"]:
            for name, per in scale["queries"].items():
                for engine, t in per.items():
                    if t["status"] == "timeout":
                        timed_out.setdefault(engine, set()).add(name)
    started = time.perf_counter()
    try:
        for label, claims, target in scales:
            t0 = time.perf_counter()
            results["scales"].append(run_scale(label, claims, target, args, queries, engines, timed_out))
            log(f"[{label}] done in {time.perf_counter() - t0:.0f}s")
            if args.json:  # keep what is measured even if a later scale fails
                Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    finally:
        stop_all()
    results["seconds"] = time.perf_counter() - started
    results["driver_peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    text = report(results, markdown=False)
    print(text)
    if skipped:
        print("left out: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(report(results, markdown=True) + "\n")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
