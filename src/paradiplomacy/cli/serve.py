"""`paradiplomacy serve`: the SPARQL endpoint, query interface and linked-data pages, served by
waitress (a production WSGI server). On first start with an empty store, it builds the store."""

from __future__ import annotations

import errno
import signal
import socket
import sys
import threading

import click

from paradiplomacy.cli.projects import in_use, project_config, store_location
from paradiplomacy.errors import ParadiplomacyError
from paradiplomacy.settings import setting_help


class ServeError(ParadiplomacyError):
    pass


def _say(message: str) -> None:
    click.echo(message, err=True)


def check_settings(config) -> None:
    if config.backend not in ("oxigraph", "remote"):
        raise ServeError(
            "serve reads the on-disk store (--backend oxigraph, the default) or a SPARQL server "
            "(--backend remote), not an in-memory one"
        )
    if config.updates and not config.update_token:
        raise ServeError("PARADIPLOMACY_UPDATES is on but PARADIPLOMACY_UPDATE_TOKEN is empty: updates need a token")
    if config.workers < 1 or config.query_timeout <= 0 or config.row_cap < 1 or config.max_request_bytes < 1:
        raise ServeError("workers, query timeout, row cap and request size limit must be positive")
    if (
        config.max_answer_bytes < 1
        or config.worker_wait <= 0
        or config.queued_queries < 0
        or config.client_queries < 0
        or config.client_connections < 0
        or config.request_timeout <= 0
        or config.idle_timeout < 1
    ):
        raise ServeError(
            "the answer size limit, worker wait, request timeout and idle timeout must be positive, "
            "queued and per-client queries not negative"
        )
    from paradiplomacy.web.app import service_routes

    service_routes(config)  # a malformed service map stops the server before anything is built
    from paradiplomacy.web.proxy import public_origin

    public_origin(config)  # so does a public URL that is not one


def ensure_store(config) -> None:
    """Build the store from ontology/ and data/ if it is empty or missing."""
    from paradiplomacy.build import build
    from paradiplomacy.store import open_store

    store = open_store(config)
    try:
        if store.is_empty():
            _say(f"the store at {store_location(config)} is empty: building it from {in_use(config)} ...")
            build(config, store, progress=_say)
            _say(f"store: {len(store)} quads")
    finally:
        store.close()


UNVERIFIED_QUERY = "SELECT DISTINCT ?work WHERE { ?build a pd:LoadActivity ; pd:quotesNotVerifiedIn ?work }"


def unverified_sources(config) -> list[str]:
    """The sources whose quotes the build of the store did not verify (recorded by the build)."""
    from paradiplomacy.namespaces import PDR
    from paradiplomacy.store import open_store

    store = open_store(config, read_only=config.backend == "oxigraph")
    try:
        works = [str(row[0]) for row in store.query(UNVERIFIED_QUERY).rows]
    finally:
        store.close()
    return sorted(w.removeprefix(str(PDR)) for w in works)


@click.command()
@click.option("--host", help=setting_help("host"))
@click.option("--port", type=int, help=setting_help("port"))
@click.option("--workers", type=int, help=setting_help("workers"))
@click.pass_context
def serve(ctx, host, port, workers):
    """Serve the SPARQL endpoint (/sparql), the query interface (/) and the linked-data pages
    (/resource/<slug>, /ontology), read-only unless updates are enabled. Builds the store first
    if it is empty; follows any later `paradiplomacy build`."""
    config = project_config(ctx).with_overrides(host=host, port=port, workers=workers)
    check_settings(config)
    check_port(config.host, config.port)  # before the store is built and the workers start
    ensure_store(config)
    unverified = unverified_sources(config)
    if unverified:
        from paradiplomacy.evidence.quotes import unverified_note

        _say(unverified_note(unverified, config.path("sources_dir"), "build") + "; the store was built so")
    from paradiplomacy.web import create_app

    app = create_app(config)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a clean exit stops the query workers
    _say(f"project: {in_use(config)}; store: {store_location(config)}")
    if config.public_url:
        _say(f"public URL: {config.public_url}")
    elif config.host not in ("127.0.0.1", "localhost", "::1") and not config.trusted_proxy:
        _say(
            "note: the pages and descriptions advertise the listening address; set PARADIPLOMACY_PUBLIC_URL "
            "(or a trusted proxy) for the URL that clients use"
        )
    try:  # waitress binds here; it reads a whole body before the app sees it, and refuses one over the limit (413)
        server = http_server(
            app,
            host=config.host,
            port=config.port,
            ident="paradiplomacy",
            max_request_body_size=config.max_request_bytes + 1,
            request_timeout=config.request_timeout,
            client_connections=0 if config.trusted_proxy else config.client_connections,
            **connection_adjustments(config),
            **proxy_adjustments(config),
        )
    except OSError as exc:  # taken since check_port looked
        raise _port_error(config.host, config.port, exc) from exc
    _say(
        f"serving http://{config.host}:{config.port}/ (query interface /query, SPARQL endpoint /sparql; "
        f"{config.workers} query workers, time limit {config.query_timeout:g} s, row cap {config.row_cap}); "
        "Ctrl-C stops"
    )
    server.run()


REQUEST_STACK_BYTES = 16 << 20  # the request threads' stack: queries of the fast lane recurse in it (web.pool.FastLane)
CONNECTIONS = 1000  # open connections in all (waitress's default, 100, is one client's to take)
PAGE_THREADS = 8  # request threads that the clients' SPARQL requests never hold: pages, static files, /health


def connection_adjustments(config) -> dict:
    """waitress's threads and connection timeouts. SPARQL requests hold at most workers + queued_queries
    threads (web.context.Admission), so PAGE_THREADS more are always there for the rest; a connection with
    no progress for idle_timeout seconds (idle, or not reading its answer) is closed, checked every second."""
    return {
        "threads": config.workers + config.queued_queries + PAGE_THREADS,
        "connection_limit": CONNECTIONS,
        "channel_timeout": config.idle_timeout,
        "cleanup_interval": 1,
    }


def proxy_adjustments(config) -> dict:
    """waitress's settings for a reverse proxy: whose X-Forwarded-* headers to believe (the others are
    cleared), the scheme and the path prefix."""
    adjustments = {"url_scheme": config.url_scheme, "url_prefix": config.url_prefix.rstrip("/")}
    if config.trusted_proxy:
        adjustments.update(
            trusted_proxy=config.trusted_proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers=set(config.trusted_proxy_headers),
            clear_untrusted_proxy_headers=True,
        )
    return adjustments


def _port_error(host: str, port: int, exc: OSError) -> click.UsageError:
    reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror or exc})"
    return click.UsageError(f"port {port} on {host} {reason}: choose another with --port (or PARADIPLOMACY_PORT)")


def check_port(host: str, port: int) -> None:
    """Refuse, as a usage error naming --port, a port that another process listens on (or that cannot be
    bound), before anything is built or started; bound as waitress binds it (SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.UsageError(f"--host {host} is not an address of this machine: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise _port_error(host, port, exc) from exc


def http_server(app, request_timeout: float = 0, client_connections: int = 0, **adjustments):
    """waitress's server for the app, with fixes:

    - a request that says `Expect: 100-continue` but has no body (a GET, or Content-Length: 0) is answered at
      once; waitress 3.0 would send `100 Continue` and then wait for a body that never comes, until its
      channel_timeout closed the connection unanswered;
    - a client that takes more than `request_timeout` seconds to send a whole request (line, headers and
      body: one header line every few seconds) is disconnected; waitress would wait for as long as each line
      comes within channel_timeout, a connection (of its connection_limit) held all along;
    - a connection whose answer waits unread for channel_timeout seconds is closed, and its buffered answer
      (a temporary file beyond 1 MB) dropped; waitress marks it to close, but closes it only once its socket
      becomes writable, which for a client that never reads is never;
    - one client address may hold at most `client_connections` connections (0: any number): more are closed
      as soon as they are accepted, so that one client cannot take the server's connection_limit."""
    import time

    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import create_server

    class Parser(HTTPRequestParser):
        def __init__(self, adj):
            super().__init__(adj)
            self.started = time.time()

        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            if self.body_rcv is None:  # no body is coming: nothing to continue
                self.expect_continue = False

    class Channel(HTTPChannel):
        parser_class = Parser
        dropped = False

        def __init__(self, server, sock, addr, adj, map=None):
            super().__init__(server, sock, addr, adj, map)
            if (
                client_connections
                and isinstance(addr, tuple)
                and sum(1 for c in list(server.active_channels.values()) if c.addr and c.addr[0] == addr[0])
                > client_connections
            ):
                self.dropped = True
                self.handle_close()

        def _stalled(self) -> bool:
            if self.requests:  # the app is answering: its thread is not ours to cut
                return False
            now = time.time()
            if self.total_outbufs_len:  # an answer waits to be read
                return now - self.last_activity > self.adj.channel_timeout
            if self.request is not None and not self.request.completed:  # a request is being sent
                return bool(request_timeout) and now - self.request.started > request_timeout
            return bool(request_timeout) and now - self.last_activity > request_timeout  # none is: idle

        def readable(self):  # asked by the main loop on every turn, before writable()
            if self.dropped:
                return False
            if self.connected and self._stalled():
                self.dropped = True
                self.handle_close()
                return False
            return super().readable()

        def writable(self):
            return not self.dropped and super().writable()

    listeners: dict = {}
    previous = threading.stack_size(REQUEST_STACK_BYTES)  # waitress starts its request threads here
    try:
        server = create_server(app, map=listeners, **adjustments)
    finally:
        threading.stack_size(previous)
    for listener in listeners.values():  # the listening sockets: they make a Channel per connection
        listener.channel_class = Channel
    return server
