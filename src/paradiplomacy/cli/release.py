"""`paradiplomacy release DIR` (paradiplomacy.release)."""

from __future__ import annotations

from pathlib import Path

import click

from paradiplomacy.cli.projects import project_config


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--prior-version", help="The ontology's previous version (0.0.9, or its version IRI): owl:priorVersion.")
@click.option("--date", "issued", type=click.DateTime(["%Y-%m-%d"]), help="Date of issue. [default: today, UTC]")
@click.option(
    "--base-url",
    help="Where the files will be published (void:dataDump, dcat:downloadURL). "
    "[default: https://w3id.org/paradiplomacy/release/VERSION/]",
)
@click.pass_context
def release(ctx, directory, prior_version, issued, base_url):
    """Write a dated, versioned release to DIRECTORY: the ontology (Turtle, RDF/XML, JSON-LD), the asserted
    dataset and the inferred graph (gzipped N-Quads and TriG), their VoID/DCAT description with licences,
    the ontology's documentation (HTML) and SHA256SUMS. Builds afresh from the project's files."""
    from paradiplomacy.release import release as do_release

    if base_url and not base_url.endswith("/"):
        base_url += "/"
    rel = do_release(
        project_config(ctx),
        Path(directory),
        prior_version,
        issued.date() if issued else None,
        base_url,
        progress=lambda m: click.echo(m, err=True),
    )
    for f in rel.files:
        click.echo(f"{f.sha256}  {f.size:>10}  {f.name}")
    click.echo(
        f"release {rel.version} of {rel.issued:%Y-%m-%d}: {len(rel.files)} files and SHA256SUMS in {directory}",
        err=True,
    )
