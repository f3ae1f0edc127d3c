"""Reasoning time on the paper's graph and on synthetic graphs N times its size: HermiT
(owlready2) against OWL 2 RL with `reasonable` (the default) and with owlrl, measured in one
run and printed as ratios (HermiT at scale 1 is the baseline).

A synthetic graph of scale N holds N copies of the paper's asserted facts, each copy's
resources renamed (…/resource/<slug>-copy<i>), so that the ontology, the concepts and the shape
of the data stay those of the paper.

Usage: python benchmarks/reasoning.py [--scales 1 10 100] [--rl reasonable owlrl] [--sources DIR]

With --store DIR (a store built with `paradiplomacy build --no-reason`, e.g. of
`paradiplomacy generate --claims 5000`), it measures instead OWL 2 RL over N disjoint copies of
every asserted graph of that store (--copies 1 2 4 ...), each in a child process (peak resident
memory from getrusage, capped by --max-gb), side by side:
  engine+fp  `reasonable` alone, on all the triples, owl:FunctionalProperty declarations included;
  engine     `reasonable` alone, on the triples the project gives it (those declarations left out);
  project    the project's OWL 2 RL (rl.closure: reading the store, conversion, the engine, prp-fp
             and prp-ifp by a join, the clash checks, the entailed set), against `engine`.
--input-route compares the two ways to hand the triples to `reasonable` (rdflib triples, a file).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paradiplomacy.build import prepare  # noqa: E402
from paradiplomacy.namespaces import PDR  # noqa: E402
from paradiplomacy.reasoning.reasoners import hermit_check, java_available, owl_rl_closure, reasoner_input  # noqa: E402
from paradiplomacy.settings import Config  # noqa: E402


def scaled(abox: Graph, concepts: set, n: int) -> Graph:
    if n == 1:
        return abox
    out = Graph()
    for i in range(n):

        def rename(t):
            if isinstance(t, URIRef) and str(t).startswith(str(PDR)) and t not in concepts:
                return URIRef(f"{t}-copy{i}")
            return t

        for s, p, o in abox:
            out.add((rename(s), p, rename(o)))
    return out


# ---- OWL 2 RL over copies of a store ----------------------------------------------------------


def copies(store_dir: str, n: int):
    """An in-memory pyoxigraph store of n disjoint copies of the store's asserted graphs: every
    resource IRI (…/resource/…) that the ontology does not declare is renamed per copy."""
    import pyoxigraph as ox

    from paradiplomacy.build import asserted_copy
    from paradiplomacy.namespaces import GRAPH_ONTOLOGY
    from paradiplomacy.store.oxigraph import OxigraphStore

    source = asserted_copy(OxigraphStore(Path(store_dir), read_only=True))
    ontology = ox.NamedNode(str(GRAPH_ONTOLOGY))
    declared = {q.subject for q in source.quads_for_pattern(None, None, None, ontology)}
    out = ox.Store()
    for i in range(n):

        def rename(t, i=i):
            if isinstance(t, ox.NamedNode) and t.value.startswith(str(PDR)) and t not in declared:
                return ox.NamedNode(f"{t.value}-copy{i}")
            return t

        out.bulk_extend(
            q
            if q.graph_name == ontology
            else ox.Quad(rename(q.subject), q.predicate, rename(q.object), rename(q.graph_name))
            for q in source.quads_for_pattern(None, None, None)
        )
    return out


def measure_copy(store_dir: str, n: int, mode: str) -> dict:
    """One measurement (in a child process): seconds and peak resident memory of `mode`."""
    import resource
    import tempfile

    import pyoxigraph as ox
    import reasonable
    from rdflib.namespace import OWL, RDF

    from paradiplomacy.reasoning import rl

    data = copies(store_dir, n)
    sel = rl.select_graphs(data)
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fp = {
        q.triple
        for q in data.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None)
        if q.object.value in (str(OWL.FunctionalProperty), str(OWL.InverseFunctionalProperty))
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.ttl"
        if mode in ("engine", "engine+fp", "from-graph"):
            rl.write_ntriples(data, sel.graphs, path, leave_out=frozenset() if mode == "engine+fp" else fp)
        started = time.perf_counter()
        if mode in ("engine", "engine+fp"):
            r = reasonable.PyReasoner()
            r.load_file(str(path))
            size = len(r.reason())
        elif mode == "from-graph":
            g = Graph().parse(path, format="nt")
            r = reasonable.PyReasoner()
            r.from_graph(g)
            size = len(r.reason())
        else:
            size = rl.closure(data, sel).closure_triples
        seconds = time.perf_counter() - started
    return {
        "copies": n,
        "mode": mode,
        "asserted": sel.triples,
        "closure": size,
        "seconds": round(seconds, 2),
        "input_mb": round(base_mb),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def copies_table(args) -> None:
    import json
    import resource
    import subprocess

    cap = int(args.max_gb * 2**30)
    modes = ["engine+fp", "engine", "project"] + (["from-graph"] if args.input_route else [])
    print(
        "| copies | asserted triples | closure | "
        + " | ".join(f"{m} s / peak MB" for m in modes)
        + " | project / engine |"
    )
    print("| ---: | ---: | ---: | " + " | ".join("---:" for _ in modes) + " | ---: |")
    for n in args.copies:
        cells, got = [], {}
        for mode in modes:
            if mode == "engine+fp" and n > args.fp_up_to:
                cells.append(f"not run (> {args.fp_up_to} copies: quadratic)")
                continue
            child = subprocess.run(
                [sys.executable, __file__, "--child", args.store, str(n), mode],
                capture_output=True,
                text=True,
                check=False,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
            )
            if child.returncode:
                cells.append(f"failed under {args.max_gb} GB")
                continue
            m = got[mode] = json.loads(child.stdout.strip().splitlines()[-1])
            cells.append(f"{m['seconds']} / {m['peak_mb']:,}")
        first = next(iter(got.values()), {})
        ratio = (
            f"{got['project']['seconds'] / got['engine']['seconds']:.2f}x" if {"project", "engine"} <= set(got) else "-"
        )
        print(
            f"| {n} | {first.get('asserted', 0):,} | {got.get('engine+fp', got.get('engine', {})).get('closure', 0):,} | "
            + " | ".join(cells)
            + f" | {ratio} |",
            flush=True,
        )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--sources", default=str(ROOT.parent / "shared" / "sources"))
    ap.add_argument("--rl", nargs="+", default=["reasonable", "owlrl"], help="OWL 2 RL engines to time")
    ap.add_argument("--store", help="measure OWL 2 RL over copies of this built store (see above)")
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--fp-up-to", type=int, default=4, help="run engine+fp (quadratic) up to this many copies")
    ap.add_argument("--input-route", action="store_true", help="also time rdflib triples handed to the engine")
    ap.add_argument("--max-gb", type=float, default=14.0)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        import json

        print(json.dumps(measure_copy(args.child[0], int(args.child[1]), args.child[2])))
        return
    if args.store:
        copies_table(args)
        return
    if not java_available():
        sys.exit("HermiT needs Java: run `bash scripts/ensure-system-deps`")
    result = prepare(Config(home=ROOT, sources_dir=args.sources))
    ontology, abox, _ = reasoner_input(result.dataset)
    concepts = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PDR))}
    rows = []
    for n in args.scales:
        data = scaled(abox, concepts, n)
        g = Graph()
        g += ontology
        g += data
        t0 = time.perf_counter()
        h = hermit_check(g, infer=True)
        times = {"HermiT": time.perf_counter() - t0}
        counts = {"HermiT": len(h.inferred)}
        for engine in args.rl:
            t0 = time.perf_counter()
            counts[engine] = len(owl_rl_closure(ontology, data, engine))
            times[engine] = time.perf_counter() - t0
        rows.append((n, len(data), times, counts))
        print(
            f"scale {n:>4}: {len(data):>7} asserted triples  "
            + "  ".join(f"{k} {times[k]:7.2f}s ({counts[k]} inferred)" for k in times),
            flush=True,
        )
    base = rows[0][2]["HermiT"]
    names = list(rows[0][2])
    print()
    print("| scale | asserted triples | " + " | ".join(f"{k} s (x HermiT@1)" for k in names) + " |")
    print("| ---: | ---: | " + " | ".join("---:" for _ in names) + " |")
    for n, size, times, _ in rows:
        print(f"| {n} | {size} | " + " | ".join(f"{times[k]:.2f} ({times[k] / base:.2f})" for k in names) + " |")


if __name__ == "__main__":
    main()
