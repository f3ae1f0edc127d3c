"""`paradiplomacy link`: propose Wikidata links for review, accept reviewed ones, refresh the slice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from paradiplomacy import __version__
from paradiplomacy.cli.projects import project_config
from paradiplomacy.errors import InvalidInput, Problem

DEFAULT_REVIEW = "var/links/wikidata-proposals.csv"


def _say(message: str) -> None:
    click.echo(message, err=True)


def _prepared(config):
    from paradiplomacy.build import prepare
    from paradiplomacy.linking.mapping import entity_kinds

    result = prepare(config)
    ontology = result.ontology
    mapping = result.links.mapping if result.links else None
    return result, ontology, mapping, entity_kinds(result.dataset, ontology)


def _endpoint(config, url: str | None):
    from paradiplomacy.linking.wikidata import WikidataClient

    return WikidataClient(url or config.wikidata_sparql)


@click.command("link")
@click.option(
    "--endpoint",
    metavar="URL",
    help="SPARQL endpoint to ask (default: the wikidata_sparql setting, PARADIPLOMACY_WIKIDATA_SPARQL).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help=f"Review file to write. [default {DEFAULT_REVIEW}]"
)
@click.option("--only", multiple=True, metavar="SLUG", help="Propose for this resource only (repeatable).")
@click.option(
    "--candidates", type=click.IntRange(1, 20), default=3, show_default=True, help="Proposals per resource, at most."
)
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.6, show_default=True, help="Lowest score proposed.")
@click.option(
    "--accept",
    "accept_file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="Add the rows of a review file marked accept=yes to data/links/wikidata.csv (asks nothing).",
)
@click.option("--reviewer", help="With --accept: who reviewed, for rows whose reviewed_by is empty.")
@click.option("--refresh-slice", is_flag=True, help="Regenerate data/wikidata/slice.ttl for the linked items.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="With --refresh-slice: read a Wikidata-shaped RDF file instead of the endpoint.",
)
@click.option("--status", is_flag=True, help="List the places and organisations, linked or not; ask nothing.")
@click.pass_context
def link(ctx, endpoint, output, only, candidates, min_score, accept_file, reviewer, refresh_slice, from_file, status):
    """Link the graph's places and organisations to Wikidata.

    \b
    paradiplomacy link                      propose items for unlinked resources -> review file
    paradiplomacy link --accept FILE        add the reviewed rows (accept=yes) to the curated mapping
    paradiplomacy link --refresh-slice      regenerate the offline slice of the linked items
    paradiplomacy link --status             which resources are linked, which are not

    Proposals are checked (type, ISO 3166 codes, country) and scored; nothing enters
    data/links/wikidata.csv without review. The endpoint gets a descriptive User-Agent and is
    given time when it answers HTTP 429."""
    config = project_config(ctx)
    if sum(map(bool, (accept_file, refresh_slice, status))) > 1:
        raise click.UsageError("--accept, --refresh-slice and --status go alone")
    if from_file and not refresh_slice:
        raise click.UsageError("--from goes with --refresh-slice")
    if accept_file:
        return _accept(config, Path(accept_file), reviewer)
    if refresh_slice:
        return _refresh(config, endpoint, from_file)
    if status:
        return _status(config)
    return _propose(config, endpoint, output, set(only), candidates, min_score)


def _status(config):
    result, ontology, mapping, kinds = _prepared(config)
    linked = mapping.by_slug() if mapping else {}
    for slug, kind in sorted(kinds.items()):
        click.echo(f"{slug:45} {kind:13} {linked[slug].qid if slug in linked else 'unlinked'}")
    _say(f"{len(linked)} of {len(kinds)} places and organisations linked")


def _propose(config, url, output, only, candidates, min_score):
    from paradiplomacy.linking.reconcile import graph_entities, reconcile, write_review

    result, ontology, mapping, kinds = _prepared(config)
    linked = mapping.by_slug() if mapping else {}
    unknown = sorted(only - set(kinds))
    if unknown:
        raise click.BadParameter(f"not a place or organisation of the graph: {', '.join(unknown)}", param_hint="--only")
    entities = [
        e for e in graph_entities(result, ontology, mapping) if e.slug not in linked and (not only or e.slug in only)
    ]
    ep = _endpoint(config, url)
    when = dt.datetime.now(dt.UTC)
    _say(f"asking {ep.url} about {len(entities)} unlinked resources ...")
    results = {e.slug: (e, reconcile(ep, e, candidates, min_score)) for e in entities}
    path = Path(output) if output else config.workspace / DEFAULT_REVIEW
    write_review(path, results, ep.url, when)
    for slug, (_, assessed) in sorted(results.items()):
        best = next((a for a in assessed if a.decision == "proposed"), None)
        click.echo(
            f"{slug:45} " + (f"{best.facts.qid:10} {best.score:.3f} {best.facts.label}" if best else "no candidate")
        )
    proposed = sum(1 for _, a in results.values() if any(x.decision == "proposed" for x in a))
    _say(
        f"proposals for {proposed} of {len(entities)} resources written to {path}; review them, set accept=yes "
        f"on the right row, then run: paradiplomacy link --accept {path}"
    )


def _accept(config, review: Path, reviewer):
    from paradiplomacy.linking.reconcile import accept, mapping_path

    result, ontology, mapping, kinds = _prepared(config)
    path = mapping_path(config)
    if mapping is None:
        raise InvalidInput(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "no curated mapping to add to: create it with a '# version: 1' line and the CSV header",
                )
            ]
        )
    from paradiplomacy.linking.mapping import declared_slugs

    added = accept(
        review, path, mapping, declared_slugs(result.dataset), set(kinds), reviewer, dt.date.today(), mapping.file
    )
    for link in added:
        _say(f"linked {link.slug} -> {link.qid} ({link.label}), reviewed by {link.reviewed_by}")
    if added:
        _say(
            f"{mapping.file}: version {int(mapping.version) + 1}; run `paradiplomacy link --refresh-slice` "
            f"for the new items, then `paradiplomacy build`"
        )
    else:
        _say(f"no row of {review} is marked accept=yes: nothing changed")


def _refresh(config, url, from_file):
    from paradiplomacy.linking.mapping import SLICE_FILE, write_atomically
    from paradiplomacy.linking.wikidata import WikidataFile, refresh_slice

    result, ontology, mapping, kinds = _prepared(config)
    if mapping is None or not mapping.links:
        raise click.ClickException("no curated links: nothing to slice")
    ep = WikidataFile(Path(from_file)) if from_file else _endpoint(config, url)
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    qids = sorted({link.qid for link in mapping.links})
    header = [
        f"Offline slice of Wikidata for the resources linked in {mapping.file} (mapping version {mapping.version}).",
        f"Written by `paradiplomacy link --refresh-slice` (paradiplomacy {__version__}) from {ep.url} at {when.isoformat()}:",
        "for each linked item its labels (en, zh), instance of (P31), country (P17), located in (P131), ISO 3166",
        "codes (P297, P298, P299, P300), coordinates (P625), population (P1082) and capital (P36), with their",
        "statements and the sources they cite (prov:wasDerivedFrom); pdr:wikidata-slice below says so in RDF.",
        "Licence: Wikidata's data is CC0 1.0; a value whose statement names another source comes with that source's terms.",
        "`paradiplomacy build` loads it into the graph <https://w3id.org/paradiplomacy/graph/wikidata>.",
    ]
    if from_file:
        upstream = [
            line[1:].strip()
            for line in Path(from_file).read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ]
        if upstream:
            header += ["", f"The header of {from_file}:"] + [f"| {line}" for line in upstream]
    text, data = refresh_slice(ep, qids, header, when)
    target = config.path("data_dir") / SLICE_FILE
    write_atomically(target, text)
    empty = [q for q in qids if not any(True for _ in data.predicate_objects(_wd(q)))]
    _say(f"wrote {len(data)} triples about {len(qids) - len(empty)} items to {target}")
    if empty:
        _say(f"warning: nothing came back for {', '.join(empty)}")


def _wd(qid):
    from paradiplomacy.namespaces import WD

    return WD[qid]
