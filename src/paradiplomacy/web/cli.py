"""`paradiplomacy serve`: the SPARQL endpoint, query interface and linked-data pages, served by
waitress (a production WSGI server). On first start with an empty store, it builds the store."""

from __future__ import annotations

import signal
import sys
from dataclasses import replace

import click

from ..errors import ParadiplomacyError
from ..settings import setting_help


class ServeError(ParadiplomacyError):
    pass


def _say(message: str) -> None:
    click.echo(message, err=True)


def check_settings(config) -> None:
    if config.backend != "oxigraph":
        raise ServeError("serve needs the on-disk store: use --backend oxigraph (the default)")
    if config.updates and not config.update_token:
        raise ServeError("PARADIPLOMACY_UPDATES is on but PARADIPLOMACY_UPDATE_TOKEN is empty: updates need a token")
    if config.workers < 1 or config.query_timeout <= 0 or config.row_cap < 1:
        raise ServeError("workers, query timeout and row cap must be positive")
    from .app import service_routes
    service_routes(config)  # a malformed service map stops the server before anything is built


def ensure_store(config) -> None:
    """Build the store from ontology/ and data/ if it is empty or missing."""
    from ..loader import build
    from ..store import open_store
    store = open_store(config)
    try:
        if store.is_empty():
            _say(f"the store at {config.path('store')} is empty: building it from {config.home} ...")
            build(config, store, progress=_say)
            _say(f"store: {len(store)} quads")
    finally:
        store.close()


@click.command()
@click.option("--host", help=setting_help("host"))
@click.option("--port", type=int, help=setting_help("port"))
@click.option("--workers", type=int, help=setting_help("workers"))
@click.pass_context
def serve(ctx, host, port, workers):
    """Serve the SPARQL endpoint (/sparql), the query interface (/) and the linked-data pages
    (/resource/<slug>, /ontology), read-only unless updates are enabled. Builds the store first
    if it is empty; follows any later `paradiplomacy build`."""
    config = ctx.obj
    config = replace(config, host=host or config.host, port=port or config.port, workers=workers or config.workers)
    check_settings(config)
    ensure_store(config)
    import waitress
    from . import create_app
    app = create_app(config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a clean exit stops the query workers
    _say(f"serving http://{config.host}:{config.port}/ (SPARQL endpoint /sparql; {config.workers} query workers, "
         f"time limit {config.query_timeout:g} s, row cap {config.row_cap}); Ctrl-C stops")
    waitress.serve(app, host=config.host, port=config.port, threads=config.workers + 4, ident="paradiplomacy",
                   _quiet=True)
