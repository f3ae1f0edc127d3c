"""rdflib-endpoint serving an N-Quads dump, for benchmarks/endpoint.py: the peer most users
would pick. The dump is loaded into an rdflib Dataset whose default graph is the union of its
graphs (as our server queries), with the project's prefixes bound, and served by uvicorn.

Usage: python benchmarks/endpoint_rdflib.py --dump FILE.nq --port P [--host 127.0.0.1]
Its endpoint is http://HOST:P/sparql.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", required=True, help="N-Quads file (paradiplomacy export --format nquads)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args(argv)

    import rdflib.plugins.sparql as rdflib_sparql
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    from paradiplomacy.namespaces import PREFIXES

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch FROM <iri> over the network
    started = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(args.dump, format="nquads")
    for prefix, iri in PREFIXES.items():
        ds.bind(prefix, iri, override=True, replace=True)
    print(f"rdflib: loaded {args.dump} in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False, title="rdflib-endpoint (benchmark)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
