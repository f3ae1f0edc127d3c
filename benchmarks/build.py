"""The build against pyoxigraph's `bulk_load` (issue 14), side by side in one run.

For each scale (a number of quads, reached with `paradiplomacy generate` claims), in a fresh directory:
- `paradiplomacy build --no-reason` of the new synthetic project, in a child process (a first build: it
  also keeps what it validated in the project's var/build-cache);
- pyoxigraph's `bulk_load` of the same quads (the store's N-Quads export) into an empty on-disk store, in a
  child process: the baseline;
- `paradiplomacy build --no-reason` again, nothing changed (it reuses the build cache).
Each with its wall time, quads per second and the peak resident memory of its process tree; the builds
with their own stages. The builds and the baseline share the functions of benchmarks/endpoint.py.

Usage:
  python benchmarks/build.py --triples 1e5 1e6 --out var/bench/build --json var/bench/build.json
  python benchmarks/build.py --triples 1e6 --claims 28146   # the claims that made 10^6 quads
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint import claims_for, generate_and_build, scale_label, time_build, time_bulk_load  # noqa: E402
from endpoint_engines import ROOT, log  # noqa: E402

MB = 2**20


def measure(label: str, claims: int, directory: Path) -> dict:
    """A first build, the baseline and a cached rebuild of one fresh synthetic project."""
    shutil.rmtree(directory, ignore_errors=True)  # no store, dump or build cache of an earlier run
    first = generate_and_build(label, claims, directory, reason="no")
    log(f"[{label}] bulk_load of the same quads")
    bulk = time_bulk_load(directory)
    log(f"[{label}] building again, nothing changed")
    cached = time_build(directory / "project", directory / "store", directory / "logs", reason=False)
    return {"label": label, "claims": claims, "first": first, "cached": cached, "bulk_load": bulk}


def row(name: str, figures: dict, bulk: dict) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in figures.get("reported_phases", {}).items())
    share = f"{figures['rate'] / bulk['rate']:.0%}" if figures is not bulk else "-"
    return (
        f"| {name} | {figures['quads']:,} | {figures['seconds']:.1f} | {figures['rate']:,.0f} | {share} | "
        f"{figures['peak_tree_bytes'] / MB:,.0f} | {stages} |"
    )


def markdown(results: list[dict]) -> str:
    lines = [
        "| scale, run | quads | s | quads/s | share of bulk_load's quads/s | peak MB (process tree) | stages, s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        name = f"{r['label']} ({r['claims']:,} claims)"
        lines.append(row(f"{name}, build --no-reason", r["first"], r["bulk_load"]))
        lines.append(row(f"{name}, build again (cached)", r["cached"], r["bulk_load"]))
        lines.append(row(f"{name}, pyoxigraph bulk_load", r["bulk_load"], r["bulk_load"]))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", nargs="+", type=float, default=[1e5], help="target quads per scale")
    parser.add_argument(
        "--claims", nargs="+", type=int, help="claims per scale, instead of the estimate from --triples"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "build", help="working directory")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    results = []
    claims = args.claims or [claims_for(target) for target in args.triples]
    for target, n in zip(args.triples, claims, strict=True):
        label = scale_label(target)
        results.append(measure(label, n, args.out / label))
    table = markdown(results)
    print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
