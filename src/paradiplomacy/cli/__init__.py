"""The `paradiplomacy` command.

Exit codes: 0 success; 1 invalid input (evidence, RDF or query: the message names the file,
line and field, and nothing was written); 2 any other error (usage, store, environment).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

import click
from rdflib import Literal, URIRef

from paradiplomacy import __version__
from paradiplomacy.cli.projects import built_store, in_use, project_config, store_location
from paradiplomacy.errors import EXIT_INVALID_INPUT, EXIT_OTHER, InvalidInput, ParadiplomacyError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.settings import Config, setting_help
from paradiplomacy.store import EXPORT_FORMATS, QueryResult, QuerySyntaxError, open_store

_config = project_config  # every command but init works on a project


def _say(message: str) -> None:
    click.echo(message, err=True)


class _Group(click.Group):
    """Turns the project's errors into their exit codes and a message, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            _say(
                f"error: invalid input ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}); "
                "nothing was written:"
            )
            for p in exc.problems:
                _say(f"  {p}")
            ctx.exit(EXIT_INVALID_INPUT)
        except QuerySyntaxError as exc:
            _say(f"error: the query is not valid SPARQL: {exc}")
            ctx.exit(EXIT_INVALID_INPUT)
        except ParadiplomacyError as exc:
            _say(f"error: {exc}")
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except Exception as exc:  # a bug: say so in one line; the traceback only on request
            if os.environ.get("PARADIPLOMACY_DEBUG"):
                raise
            _say(f"error: internal error: {type(exc).__name__}: {exc} (set PARADIPLOMACY_DEBUG=1 for the traceback)")
            ctx.exit(EXIT_OTHER)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paradiplomacy")
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help="Project directory (ontology/, data/, queries/). [env PARADIPLOMACY_HOME; default: the current "
    "directory if it is a project, else the packaged project]",
)
@click.option("--store", help=setting_help("store"))
@click.option("--backend", type=click.Choice(["oxigraph", "memory", "remote"]), help=setting_help("backend"))
@click.option("--data", "data_dir", help=setting_help("data_dir"))
@click.option("--ontology", "ontology_dir", help=setting_help("ontology_dir"))
@click.option("--sources", "sources_dir", help=setting_help("sources_dir"))
@click.pass_context
def cli(ctx, home, store, backend, data_dir, ontology_dir, sources_dir):
    """paradiplomacy-kg: a knowledge graph of China's provinces and other sub-state actors in
    foreign relations, built from evidence files with provenance for every fact.

    \b
    Typical use:
      paradiplomacy validate          check data/ without writing anything
      paradiplomacy build             (re)build the store from ontology/ and data/
      paradiplomacy query queries/twinned-provinces.rq
      paradiplomacy export --format nquads
    """
    overrides = dict(
        store=store, backend=backend, data_dir=data_dir, ontology_dir=ontology_dir, sources_dir=sources_dir
    )
    ctx.obj = Config.from_env(home=home, **overrides)


def ctx_command() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.info_name if ctx is not None and ctx.info_name else "validate"


def _report_build(result, seconds: float, config: Config) -> None:
    ev = result.evidence
    _say(
        f"read {len(ev.claims)} claims from {len(ev.files)} files, {len(ev.works)} works, {len(ev.declared)} resources"
    )
    if ev.unverified_sources:
        from paradiplomacy.evidence.quotes import unverified_note

        _say(unverified_note(ev.unverified_sources, config.path("sources_dir"), ctx_command()))
    for w in result.shacl.warnings:
        _say(f"warning: {w}")
    from paradiplomacy.linking.mapping import report_lines

    for line in report_lines(result.links):
        _say(line)
    if not result.quads:  # validated only: count what would be written
        result.quads, result.graphs = len(result.dataset), len(result.dataset.named_graphs())
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    _say(f"{result.quads} quads in {result.graphs} named graphs ({seconds:.1f}s: {stages})")


@cli.command()
@click.option(
    "--all",
    "check_all",
    is_flag=True,
    help="Also check the datasets and Wikidata links when they are unchanged since their last check.",
)
@click.pass_context
def validate(ctx, check_all):
    """Check ontology/ and data/ (schema, ids, quotes, SHACL) without writing anything to the store.

    The datasets (data/datasets.yaml) and the Wikidata links are checked only when they, the ontology
    or the resources the claims declare changed since their last successful check (a digest kept in
    var/validate-cache), or with --all."""
    from paradiplomacy.build import VALIDATE_CACHE, prepare

    config = _config(ctx)
    started = time.monotonic()
    cache = config.home / VALIDATE_CACHE
    if check_all:
        cache.unlink(missing_ok=True)
    result = prepare(config, cache=cache)
    _report_build(result, time.monotonic() - started, config)
    if result.datasets_skipped:
        _say(
            f"datasets and links: unchanged since their last check ({VALIDATE_CACHE.as_posix()}), not checked again "
            "(paradiplomacy validate --all checks them)"
        )
    _say("valid")


@cli.command()
@click.argument("text", required=False, default="")
@click.option(
    "--kind",
    type=click.Choice(["resource", "concept", "work", "class", "property"]),
    multiple=True,
    help="Only identifiers of this kind (repeatable).",
)
@click.pass_context
def ids(ctx, text, kind):
    """List the identifiers a claim can use (slug or name, kind, label, type, where declared), read from
    ontology/ and data/ (no store needed); with TEXT, only those whose name, label or type contains it
    (case-insensitive)."""
    from paradiplomacy.evidence.ids import identifiers
    from paradiplomacy.evidence.ontology import Vocabulary, load_ontology

    config = _config(ctx)
    vocab = Vocabulary(load_ontology(config.path("ontology_dir")))
    found = [
        i
        for i in identifiers(config.path("data_dir"), vocab, config.home)
        if i.matches(text) and (not kind or i.kind in kind)
    ]
    rows = [(i.name, i.kind, i.label, i.type, i.where) for i in found]
    header = ("id", "kind", "label", "type", "declared at")
    widths = [min(60, max([len(header[c])] + [len(r[c]) for r in rows])) for c in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    click.echo(line(header))
    for r in rows:
        click.echo(line(r))
    _say(f"{len(rows)} identifier{'s' if len(rows) != 1 else ''}" + (f" matching {text!r}" if text else ""))


def _peak_memory_mb() -> float:
    """Peak resident memory of this process plus its waited-for children (HermiT's Java), in MB."""
    import resource

    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024


def _report_inference(inference, seconds: float | None = None) -> None:
    if inference is None:
        return
    if inference.read is not None:
        read = inference.read
        _say(
            f"read {read.triples:,} asserted triples: {len(read.tbox)} ontology graph(s) "
            f"({sum(read.tbox.values()):,} triples: {', '.join(f'<{g}>' for g in read.tbox)}), "
            f"{len(read.data)} data graph(s) ({sum(read.data.values()):,} triples)"
        )
    for w in inference.warnings:
        _say(f"warning: {w}")
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in inference.seconds.items())
    hermit = (
        f"HermiT {len(inference.hermit)} over {inference.hermit_triples:,} triples"
        if "hermit" in inference.seconds
        else "HermiT did not run"
    )
    total = f"; {seconds:.1f}s in all, peak memory {_peak_memory_mb():,.0f} MB" if seconds is not None else ""
    _say(
        f"inferred {len(inference.triples):,} triples (OWL 2 RL {len(inference.rl):,}, {hermit}; {timing}{total}) "
        "into <https://w3id.org/paradiplomacy/graph/inferred>"
    )
    if "hermit" not in inference.seconds and not any(w.startswith("HermiT skipped") for w in inference.warnings):
        from paradiplomacy.reasoning.reasoners import JAVA_HELP

        _say(f"warning: HermiT skipped: {JAVA_HELP}")
    for c in inference.unsatisfiable:
        _say(f"warning: unsatisfiable class {c}")


@cli.command()
@click.option(
    "--reason/--no-reason",
    default=True,
    show_default=True,
    help="Classify with HermiT and materialise OWL 2 RL into the inferred graph.",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Reuse what the last build validated when nothing under data/, ontology/ or the code has changed.",
)
@click.pass_context
def build(ctx, reason, cache):
    """(Re)build the store from ontology/ and data/. Atomic: on any error the store is unchanged."""
    from paradiplomacy.build import build as do_build

    config = _config(ctx)
    started = time.monotonic()
    _say(f"building {config.backend} store at {store_location(config)} for {in_use(config)} ...")
    store = open_store(config)
    result = do_build(config, store, reason=reason, progress=_say, cache=cache)
    _report_build(result, time.monotonic() - started, config)
    _report_inference(result.inference, result.seconds.get("reasoning"))
    _say(f"store: {len(store)} quads")


@cli.command()
@click.option(
    "--tbox",
    "tbox",
    multiple=True,
    metavar="GRAPH",
    help="A graph (IRI) to read as an ontology besides the project's and those holding an owl:Ontology; repeatable.",
)
@click.pass_context
def reason(ctx, tbox):
    """Reason over every asserted graph of the store: OWL 2 RL over the ontologies and all the data
    (claims, imported datasets, loaded RDF); HermiT's consistency check and classification over the
    project's graph. Replaces the inferred graph. An inconsistency names the claims, files or graphs
    involved, and nothing is written."""
    from paradiplomacy.build import reason_store

    config = _config(ctx)
    store = open_store(config)
    if store.is_empty():
        raise click.ClickException("the store is empty: run `paradiplomacy build` or `paradiplomacy load` first")
    started = time.monotonic()
    _report_inference(
        reason_store(store, config.reasoning_limit, config.hermit_limit, tbox), time.monotonic() - started
    )
    _say(f"store: {len(store)} quads")


def _print_explanation(exp, indent: str = "") -> None:
    origin = "inferred" if exp.inferred else "asserted"
    click.echo(f"{indent}{_short(exp.resource)} is a {_short(exp.cls)} ({origin}) because it:")
    if exp.rests_on == "interpretation":
        click.echo(
            f"{indent}  [rests on an interpretation: it does not hold on the explicit statements alone; "
            f"interpretation claims: {', '.join(_short(c) for c in exp.interpretations) or 'none listed'}]"
        )
    else:
        click.echo(f"{indent}  [rests on explicit statements: it holds with every interpretation claim left out]")
    for cond in exp.conditions:
        mark = "+" if cond.satisfied else "-"
        click.echo(f"{indent}  {mark} {cond.text}")
        for f in cond.facts:
            click.echo(f"{indent}      {_short(f.subject)} {_short(f.predicate)} {_short(f.object)}")
            where = f" [{f.file}:{f.line}]" if f.file else ""
            click.echo(
                f"{indent}        claim {_short(f.claim)}{where} ({f.support}), {_short(f.source)}"
                + (f', section "{f.section}"' if f.section else "")
            )
            click.echo(f'{indent}        "{f.quote}"')
        for sub in cond.because:
            _print_explanation(sub, indent + "      ")


@cli.command()
@click.argument("resource")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.pass_context
def explain(ctx, resource, as_json):
    """Why RESOURCE (a slug, pdr:slug or IRI) is in a central-local model class: the asserted facts
    that satisfy the class definition, each with its claim, quote, section and source."""
    from dataclasses import asdict

    from paradiplomacy.reasoning.explain import explain as do_explain
    from paradiplomacy.reasoning.explain import resource_iri

    store = built_store(_config(ctx))
    iri = resource_iri(resource)
    if not store.query(f"ASK {{ <{iri}> ?p ?o }}").boolean:
        raise click.ClickException(f"no resource {iri} in the store")
    explanations = do_explain(store, iri)
    if as_json:
        click.echo(json.dumps([asdict(e) for e in explanations], default=str, indent=1, ensure_ascii=False))
        return
    if not explanations:
        click.echo(f"{_short(iri)} is in no central-local model class")
    for exp in explanations:
        _print_explanation(exp)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--reason/--no-reason",
    default=True,
    show_default=True,
    help="Re-reason the whole store afterwards (OWL 2 RL over everything, HermiT over the project's graph).",
)
@click.pass_context
def load(ctx, files, reason):
    """Add evidence (.yaml) or RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD).

    Evidence files are validated together with data/; all files are checked before one atomic
    write. Loading a file again replaces what it loaded before. A later `build` rebuilds from
    data/ only. Then the whole store is reasoned over again (`--no-reason` leaves the inferred graph as it was)."""
    from paradiplomacy.build import load_files

    config = _config(ctx)
    store = open_store(config)
    if reason:  # `reasonable` keeps no state from one command to the next: no incremental reasoning
        _say("loading, then re-reasoning the whole store as it will be (nothing is written before) ...")
    counts = load_files(config, store, [Path(f) for f in files], reason=reason)
    _say(
        f"loaded {counts['claims']} claims and {counts['rdf_quads']} RDF quads into {counts['graphs']} graphs; "
        f"store: {len(store)} quads"
    )
    if reason:
        _say(f"re-reasoned the whole store in {counts['reasoning_seconds']:.1f}s:")
        _report_inference(counts["inference"], counts["reasoning_seconds"])


def _read_query(query: str) -> str:
    """The query itself, or the content of the file it names (a .rq path, or any path without braces)."""
    if query.endswith(".rq") or "{" not in query:
        try:
            return Path(query).read_text(encoding="utf-8")
        except OSError as exc:
            if query.endswith(".rq"):
                raise click.BadParameter(f"cannot read {query}: {exc.strerror}") from exc
    return query


def _short(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if s.startswith(ns) and s[len(ns) :] and "/" not in s[len(ns) :]:
                return f"{prefix}:{s[len(ns) :]}"
        return f"<{s}>"
    return str(term)


def _print_table(result: QueryResult) -> None:
    rows = [[_short(t) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(result.variables)]
    widths = [min(w, 80) for w in widths]
    line = lambda cells: "  ".join(c[:80].ljust(w) for c, w in zip(cells, widths)).rstrip()
    click.echo(line(result.variables))
    click.echo(line(["-" * w for w in widths]))
    for r in rows:
        click.echo(line(r))
    _say(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def _json_term(t) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": str(t)}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype:
            d["datatype"] = str(t.datatype)
        return d
    return {"type": "bnode", "value": str(t)}


@cli.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output: an aligned table, CSV, or SPARQL 1.1 Query Results JSON. CONSTRUCT results are Turtle.",
)
@click.pass_context
def query(ctx, query, fmt):
    """Run a SPARQL query (a string or a .rq file) on the store; all graphs form the default graph."""
    config = _config(ctx)
    from paradiplomacy.sparql.service import resolve

    sparql = resolve(_read_query(query), config)  # SERVICE IRIs as the service_map setting says
    result = built_store(config, check_first=sparql).query(sparql)
    if result.kind == "ask":
        click.echo(
            json.dumps({"head": {}, "boolean": result.boolean}) if fmt == "json" else str(result.boolean).lower()
        )
    elif result.kind == "graph":
        click.echo(result.as_graph().serialize(format="turtle"))
    elif fmt == "table":
        _print_table(result)
    elif fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow(["" if t is None else str(t) for t in row])
    else:
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
        click.echo(
            json.dumps(
                {"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1
            )
        )


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORT_FORMATS)),
    default="nquads",
    show_default=True,
    help="nquads, trig and jsonld keep the named graphs; turtle, ntriples and rdfxml write their union.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.pass_context
def export(ctx, fmt, output):
    """Write the whole dataset (asserted, provenance and ontology graphs)."""
    data = built_store(_config(ctx)).export(fmt)
    if output:
        Path(output).write_bytes(data)
        _say(f"wrote {len(data)} bytes to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@cli.command()
@click.option(
    "--claims",
    "n",
    type=click.IntRange(100, 10_000_000),
    required=True,
    help="How many claims to write (about 200 declare the actors, the rest engagements).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same files.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Directory of the synthetic project (replaced if it exists).",
)
@click.pass_context
def generate(ctx, n, seed, out):
    """Write a synthetic evidence set for tests and benchmarks (never facts about the world).

    Then: paradiplomacy --home OUT --sources OUT/data/sources build"""
    from paradiplomacy.evidence.synthetic import generate as do_generate

    counts = do_generate(Path(out), n, seed, ontology_dir=_config(ctx).path("ontology_dir"))
    _say(f"wrote {counts['claims']} claims ({counts['engagements']} engagements) in {counts['files']} files to {out}")


# each class, counted three ways: typed so by any asserted graph (claims, datasets, reference data,
# links, ontology), by the claims' assertions alone, and by the reasoner (the inferred graph)
STATS_QUERY = """
SELECT ?class (COUNT(DISTINCT ?asserted) AS ?graph) (COUNT(DISTINCT ?claimed) AS ?claims)
       (COUNT(DISTINCT ?inferred) AS ?reasoner) WHERE {
  GRAPH ?g { ?s a ?class } FILTER(isIRI(?class))
  BIND(STRSTARTS(STR(?g), STR(pdg:inferred)) AS ?byReasoner)  # pdg:inferred, pdg:inferred-explicit: the reasoner's
  BIND(IF(!?byReasoner, ?s, ?none) AS ?asserted)
  BIND(IF(EXISTS { ?g a pd:Claim }, ?s, ?none) AS ?claimed)
  BIND(IF(?g = pdg:inferred, ?s, ?none) AS ?inferred)
} GROUP BY ?class ORDER BY DESC(?graph) DESC(?reasoner) ?class
"""
STATS_COLUMNS = {
    "graph": "typed so in any graph but the reasoner's (claims, datasets, reference data, links, ontology)",
    "claims": "typed so in the assertions of the paper's claims",
    "inferred": "typed so by the reasoner (graph pdg:inferred)",
}


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def stats(ctx, as_json):
    """Size of the store: quads, graphs, claims, sources, and resources by class, each class counted in
    the whole graph, in the claims' assertions and by the reasoner."""
    config = _config(ctx)
    store = built_store(config)
    count = lambda q: int(store.query(q).rows[0][0])
    figures = {
        "project": in_use(config),
        "store": store_location(config),
        "quads": len(store),
        "named_graphs": len(store.named_graphs()),
        "claims": count("SELECT (COUNT(?c) AS ?n) { ?c a pd:Claim }"),
        "sources_cited_by_claims": count(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?c a pd:Claim ; prov:wasDerivedFrom ?s }"
        ),
        "works": count(
            "SELECT (COUNT(DISTINCT ?w) AS ?n) { GRAPH pdg:bibliography { ?w dct:title ?t ; a prov:Entity } }"
        ),
        "classes": {
            _short(r[0]): dict(zip(STATS_COLUMNS, (int(n) for n in r[1:]))) for r in store.query(STATS_QUERY).rows
        },
    }
    if as_json:
        click.echo(json.dumps(figures, indent=1))
        return
    for key, value in figures.items():
        if key != "classes":
            click.echo(f"{key:24} {value}")
    click.echo("resources by class, counted three ways:")
    for column, meaning in STATS_COLUMNS.items():
        click.echo(f"  {column}: {meaning}")
    click.echo(f"  {'class':40} " + " ".join(f"{c:>8}" for c in STATS_COLUMNS))
    for cls, counts in figures["classes"].items():
        click.echo(f"  {cls:40} " + " ".join(f"{counts[c]:>8}" for c in STATS_COLUMNS))


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="paradiplomacy", standalone_mode=True)
    except KeyboardInterrupt:
        _say("interrupted")
        sys.exit(EXIT_OTHER)
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def _add_commands_of_other_modules() -> None:
    """The commands written in modules of their own (imported here, after the group they join exists)."""
    from paradiplomacy.cli.importers import import_group
    from paradiplomacy.cli.link import link
    from paradiplomacy.cli.projects import init
    from paradiplomacy.cli.release import release
    from paradiplomacy.cli.serve import serve

    for command in (link, serve, import_group, init, release):
        cli.add_command(command)


_add_commands_of_other_modules()

if __name__ == "__main__":
    main()
