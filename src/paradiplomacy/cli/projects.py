"""The project a command works on (paradiplomacy.project), and `paradiplomacy init`."""

from __future__ import annotations

from pathlib import Path

import click

from paradiplomacy.errors import StoreError
from paradiplomacy.project import InUse, init_project, require_project
from paradiplomacy.settings import Config
from paradiplomacy.store import Store, open_store


def project_config(ctx) -> Config:
    """The settings, once sure that they name a project (else exit 2 saying what is missing)."""
    config: Config = ctx.find_root().obj
    require_project(config.path("ontology_dir"), config.path("data_dir"), config.home)
    return config


def in_use(config: Config) -> str:
    return InUse(config.home, config.workspace).describe()


def store_location(config: Config) -> str:
    return {"oxigraph": str(config.path("store")), "remote": config.remote_query_url}.get(config.backend, "memory")


def built_store(config: Config, check_first: str | None = None) -> Store:
    """The store, read-only, for commands that read it; an empty one is an error that says how to
    build it (an empty answer would look like a true one). A query given as `check_first` is parsed
    before that, so that a bad query is reported as such (exit 1) whatever the store holds."""
    store = open_store(config, read_only=config.backend == "oxigraph")
    if config.backend != "memory" and store.is_empty():
        if check_first is not None:
            store.query(check_first)  # on an empty store: raises QuerySyntaxError, costs nothing
        store.close()
        raise StoreError(
            f"the store at {store_location(config)} is empty ({in_use(config)}): build it with "
            "`paradiplomacy build`, or run `paradiplomacy serve`, which builds it first"
        )
    return store


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
def init(directory):
    """Copy the paper's project (ontology/, data/, queries/) to DIRECTORY, a new or empty
    directory, for adding evidence: then `cd DIRECTORY && paradiplomacy build`."""
    target = Path(directory).resolve()
    copied = init_project(target)
    click.echo(
        f"copied {', '.join(d + '/' for d in copied)} to {target}; add claims under data/claims/, then "
        f"`paradiplomacy validate` and `paradiplomacy build` there (the store goes to var/store)",
        err=True,
    )
