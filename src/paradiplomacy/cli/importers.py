"""The `paradiplomacy import` commands: one per dataset, and `evaluate` for recognition accuracy."""

from __future__ import annotations

from pathlib import Path

import click

from paradiplomacy.cli.projects import project_config
from paradiplomacy.importers import IMPORTERS


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group("import")
def import_group():
    """Import a dataset of Chinese official finance, loans or investment in Africa into the store.

    \b
    Each row of an Africa recipient becomes a pd:FinancedProject, and an engagement of the provincial
    actors recognised in it, in the named graph <…/graph/dataset-SLUG>, with row-level provenance in
    <…/graph/dataset-SLUG-provenance>. Validated with the SHACL shapes before one atomic write;
    importing the same dataset again replaces it. Names no rule settles go to a review report."""


def _run(ctx, name: str, path: str, review: str | None) -> None:
    from paradiplomacy.importers.pipeline import default_review_path, import_dataset
    from paradiplomacy.store import open_store

    config = project_config(ctx)
    store = open_store(config)
    imported = import_dataset(config, store, name, Path(path), Path(review) if review else None)
    mentions = sum(len(r.mentions) for r in imported.recognitions)
    times = ", ".join(f"{k} {v:.1f}s" for k, v in imported.seconds.items())
    _say(
        f"imported {len(imported.records)} Africa rows of {imported.info.title} from {path}: "
        f"{imported.engagements} engagements of provincial actors ({mentions} mentions); "
        f"{len(imported.quads)} quads into <{next(iter(sorted(imported.graphs)))}> and its provenance ({times})"
    )
    _say(
        f"review report: {len(imported.review)} names to review in "
        f"{review or default_review_path(config, imported.info)}"
    )
    _say(f"store: {len(store)} quads")


def _command(name: str, what: str):
    @import_group.command(name, help=f"Import {what} from PATH.")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--review",
        type=click.Path(dir_okay=False),
        help="Where to write the review report (CSV). [default: var/review/DATASET.csv]",
    )
    @click.pass_context
    def command(ctx, path, review):
        _run(ctx, name, path, review)

    return command


_command("aiddata", "AidData's Global Chinese Official Finance Dataset v1.0 (the .xlsx workbook)")
_command("cari", "the SAIS-CARI/BU Chinese Loans to Africa Database v2.0 (CSV)")
_command("aei", "the AEI China Global Investment Tracker (investments CSV, cp1252)")
assert set(import_group.commands) == set(IMPORTERS)


@import_group.command("evaluate")
@click.argument("fixture", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", is_flag=True, help="List the rows where recognition and labels differ.")
@click.pass_context
def evaluate_command(ctx, fixture, errors):
    """Precision and recall of provincial-actor recognition on a hand-labelled FIXTURE (YAML)."""
    from paradiplomacy.importers.evaluate import evaluate
    from paradiplomacy.importers.reference import load_reference

    config = project_config(ctx)
    scores = evaluate(Path(fixture), load_reference(config.path("data_dir")))
    click.echo(f"{'rows':<10} {'n':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for s in sorted(scores.values(), key=lambda s: (s.name == "all", s.name)):
        click.echo(
            f"{s.name:<10} {s.rows:>4} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
        )
        if errors:
            for row_id, expected, predicted in s.errors:
                click.echo(f"    project {row_id}: labelled {expected or '-'}, recognised {predicted or '-'}")
