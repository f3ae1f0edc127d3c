"""Reasoning time on the paper's graph and on synthetic graphs N times its size: HermiT
(owlready2) against OWL 2 RL with `reasonable` (the default) and with owlrl, measured in one
run and printed as ratios (HermiT at scale 1 is the baseline).

A synthetic graph of scale N holds N copies of the paper's asserted facts, each copy's
resources renamed (…/resource/<slug>-copy<i>), so that the ontology, the concepts and the shape
of the data stay those of the paper.

Usage: python benchmarks/reasoning.py [--scales 1 10 100] [--rl reasonable owlrl] [--sources DIR]
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--sources", default=str(ROOT.parent / "shared" / "sources"))
    ap.add_argument("--rl", nargs="+", default=["reasonable", "owlrl"], help="OWL 2 RL engines to time")
    args = ap.parse_args(argv)
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
        print(f"scale {n:>4}: {len(data):>7} asserted triples  " + "  ".join(
            f"{k} {times[k]:7.2f}s ({counts[k]} inferred)" for k in times), flush=True)
    base = rows[0][2]["HermiT"]
    names = list(rows[0][2])
    print()
    print("| scale | asserted triples | " + " | ".join(f"{k} s (x HermiT@1)" for k in names) + " |")
    print("| ---: | ---: | " + " | ".join("---:" for _ in names) + " |")
    for n, size, times, _ in rows:
        print(f"| {n} | {size} | " + " | ".join(f"{times[k]:.2f} ({times[k] / base:.2f})" for k in names) + " |")


if __name__ == "__main__":
    main()
