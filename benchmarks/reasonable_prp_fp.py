"""A minimal reproduction, ready to file upstream (github.com/gtfierro/reasonable), of two faults of
`reasonable`'s rules for functional and inverse-functional properties:

1. prp-fp (and prp-ifp) join the triples of the property with each other on the *property*, not on
   the subject (object): n triples of a functional property make n^2 candidate pairs, so time and
   memory grow with the square of n, even when no subject has two values.
2. prp-ifp's closure matches `y1` against a fresh binding (`match y1 { y2 => ... }`), which always
   matches: any two triples of an inverse-functional property make their subjects owl:sameAs.

Each measurement runs in a child process (peak resident memory from getrusage, capped by
--max-gb). Usage: python benchmarks/reasonable_prp_fp.py [--sizes 5000 10000 20000] [--max-gb 8]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

EX = "http://example.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def measure(n: int, declared: bool) -> dict:
    """n subjects, each with one value of ex:p: nothing to infer from functionality."""
    import rdflib
    import reasonable

    g = rdflib.Graph()
    p = rdflib.URIRef(EX + "p")
    if declared:
        g.add((p, rdflib.URIRef(RDF_TYPE), rdflib.URIRef(OWL + "FunctionalProperty")))
    for i in range(n):
        g.add((rdflib.URIRef(f"{EX}s{i}"), p, rdflib.URIRef(f"{EX}o{i}")))
    r = reasonable.PyReasoner()
    r.from_graph(g)
    started = time.perf_counter()
    out = r.reason()
    return {
        "n": n,
        "declared": declared,
        "seconds": round(time.perf_counter() - started, 2),
        "closure": len(out),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def unsound_ifp() -> list:
    """a ifp x . b ifp y .  (x != y): nothing follows, yet `reasonable` says a owl:sameAs b."""
    import rdflib
    import reasonable

    g = rdflib.Graph().parse(
        data=f"""
        <{EX}ifp> a <{OWL}InverseFunctionalProperty> .
        <{EX}a> <{EX}ifp> <{EX}x> .  <{EX}b> <{EX}ifp> <{EX}y> .""",
        format="turtle",
    )
    r = reasonable.PyReasoner()
    r.from_graph(g)
    return sorted(f"{s.n3()} owl:sameAs {o.n3()}" for s, p, o in r.reason() if str(p) == OWL + "sameAs" and s != o)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--max-gb", type=float, default=8.0)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(measure(int(args.child[0]), args.child[1] == "1")))
        return
    from importlib.metadata import version

    import reasonable  # noqa: F401

    print(f"reasonable {version('reasonable')}")
    print("prp-ifp on  a ifp x . b ifp y . :", unsound_ifp() or "nothing (sound)")
    print("| triples of ex:p | declared functional | reason() s | peak MB | closure |")
    print("| ---: | --- | ---: | ---: | ---: |")
    cap = int(args.max_gb * 2**30)
    for n in args.sizes:
        for declared in (False, True):
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(n), "1" if declared else "0"],
                capture_output=True,
                text=True,
                check=False,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)),
            )
            if child.returncode:
                print(f"| {n} | {declared} | failed under {args.max_gb} GB: {child.stderr.strip()[-120:]} | | |")
                continue
            m = json.loads(child.stdout)
            print(f"| {n:,} | {declared} | {m['seconds']} | {m['peak_mb']:,} | {m['closure']:,} |", flush=True)


if __name__ == "__main__":
    main()
