"""Every setting in one place: name, environment variable, default and help.

The CLI exposes them as options; the web app reads them from the same table. Paths default
to the project directory (PARADIPLOMACY_HOME, the current directory if it is a project, or the
packaged project: paradiplomacy.project), whose layout is ontology/, data/, queries/; the store
lives in var/store there (ignored by git), or in the per-user data directory for the packaged project.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, make_dataclass, replace
from pathlib import Path

from paradiplomacy.errors import ParadiplomacyError


def _home() -> Path:
    from paradiplomacy.project import default_home

    return default_home()


class SettingError(ParadiplomacyError):
    """A setting whose value cannot be used."""


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def parse_iris(text: str) -> tuple[str, ...]:
    """A list of IRIs separated by spaces or commas."""
    return tuple(part for part in text.replace(",", " ").split() if part)


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str
    parse: Callable[[str], object] = str  # turns the environment variable's text into the value
    secret: bool = False  # never shown (describe() masks it)


SETTINGS = [
    Setting(
        "store",
        "PARADIPLOMACY_STORE",
        "var/store",
        "Directory of the embedded on-disk store (relative paths are under the project directory).",
    ),
    Setting(
        "backend",
        "PARADIPLOMACY_BACKEND",
        "oxigraph",
        "Store backend: 'oxigraph' (embedded, on disk), 'memory' (rdflib, in memory, for tests and small graphs) "
        "or 'remote' (a SPARQL 1.1 server: the remote_* settings).",
    ),
    Setting("data_dir", "PARADIPLOMACY_DATA", "data", "Directory of the evidence (sources.yaml, claims/*.yaml)."),
    Setting(
        "ontology_dir", "PARADIPLOMACY_ONTOLOGY", "ontology", "Directory of the ontology and SHACL shapes (Turtle)."
    ),
    Setting("queries_dir", "PARADIPLOMACY_QUERIES", "queries", "Directory of the competency questions (.rq)."),
    Setting(
        "reasoning_limit",
        "PARADIPLOMACY_REASONING_LIMIT",
        5000000,
        "Most asserted triples that build, load and reason will reason over (0: no limit): OWL 2 RL's memory "
        "grows with its closure, about 2 KB a triple.",
        int,
    ),
    Setting(
        "hermit_limit",
        "PARADIPLOMACY_HERMIT_LIMIT",
        100000,
        "Most triples of the project's graph (ontology and claims) that HermiT classifies (0: no limit); "
        "over it HermiT is skipped, and said so, and OWL 2 RL reasons alone.",
        int,
    ),
    Setting(
        "shacl_engine",
        "PARADIPLOMACY_SHACL_ENGINE",
        "",
        "SHACL validator: 'turbo' (pyshacl-turbo, Rust, the default when installed) or 'pyshacl' (the reference); "
        "both give the same results (tests/test_validation.py).",
    ),
    Setting(
        "sources_dir",
        "PARADIPLOMACY_SOURCES",
        "data/sources",
        "Directory of plain-text copies of sources, used to verify quotes. Sources whose text is absent are not verified.",
    ),
    Setting(
        "wikidata_sparql",
        "PARADIPLOMACY_WIKIDATA_SPARQL",
        "https://query.wikidata.org/sparql",
        "SPARQL endpoint that `paradiplomacy link` asks for candidates and for the offline slice.",
    ),
    Setting(
        "service_map",
        "PARADIPLOMACY_SERVICE_MAP",
        "",
        "Where federated SERVICE calls really go: space-separated PUBLIC=LOCAL pairs of IRIs, e.g. "
        "'https://query.wikidata.org/sparql=http://127.0.0.1:7878/query' (a local stand-in); empty: nowhere else.",
    ),
    Setting(
        "wikidata_same_as",
        "PARADIPLOMACY_WIKIDATA_SAME_AS",
        False,
        "Also write each Wikidata link as owl:sameAs, in its own opt-in graph (yes/no).",
        parse_bool,
    ),
    # the SPARQL endpoint and web interface (`paradiplomacy serve`)
    Setting("host", "PARADIPLOMACY_HOST", "127.0.0.1", "Address the server listens on.", str),
    Setting("port", "PARADIPLOMACY_PORT", 5000, "TCP port the server listens on.", int),
    Setting(
        "workers",
        "PARADIPLOMACY_WORKERS",
        2,
        "Query worker processes: how many queries run at once (each opens the store read-only).",
        int,
    ),
    Setting(
        "query_timeout",
        "PARADIPLOMACY_QUERY_TIMEOUT",
        10.0,
        "Seconds a query may run; then its worker process is killed and replaced, and the answer names the limit.",
        float,
    ),
    Setting(
        "row_cap",
        "PARADIPLOMACY_ROW_CAP",
        10000,
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; a cut answer says so in the "
        "X-SPARQL-MaxRows header.",
        int,
    ),
    Setting(
        "max_request_bytes",
        "PARADIPLOMACY_MAX_REQUEST_BYTES",
        1 << 20,
        "Largest request body, in bytes (a query or update, form-encoded or not, chunked or not); a larger "
        "one is refused with 413.",
        int,
    ),
    Setting(
        "max_answer_bytes",
        "PARADIPLOMACY_MAX_ANSWER_BYTES",
        8 << 20,
        "Largest answer to a query, in bytes, as the worker serialised it; a larger one is refused with 422 "
        "naming this setting (the row cap alone does not bound bytes: one row can hold a long string).",
        int,
    ),
    Setting(
        "worker_memory_bytes",
        "PARADIPLOMACY_WORKER_MEMORY_BYTES",
        2 << 30,
        "Address space a query worker process may take (RLIMIT_AS, in bytes; 0: no limit; an idle worker takes "
        "about 1 GiB of it, mostly its thread's stack reserve); a query that needs more is stopped and answered "
        "with 503 naming this setting.",
        int,
    ),
    Setting(
        "worker_wait",
        "PARADIPLOMACY_WORKER_WAIT",
        10.0,
        "Seconds a query waits for a free worker; then 503 with Retry-After (the SPARQL requests that wait hold "
        "no thread that pages need: see queued_queries).",
        float,
    ),
    Setting(
        "fast_query_seconds",
        "PARADIPLOMACY_FAST_QUERY_SECONDS",
        0.05,
        "A query that a worker answered within this many seconds is answered in the server process when it is "
        "asked again, while the store is unchanged: no round trip to a worker. It cannot be stopped there, so at "
        "most a tenth of the time limit is used. 0: every query goes to a worker.",
        float,
    ),
    Setting(
        "queued_queries",
        "PARADIPLOMACY_QUEUED_QUERIES",
        64,
        "Most SPARQL requests that may wait for a worker at once (beyond those running); more get 503 at once. "
        "The server has this many request threads, plus the workers, plus 8 for pages, static files and /health.",
        int,
    ),
    Setting(
        "client_queries",
        "PARADIPLOMACY_CLIENT_QUERIES",
        0,
        "Most SPARQL requests one client address may have running or waiting at once; more get 429 (0: no limit).",
        int,
    ),
    Setting(
        "client_connections",
        "PARADIPLOMACY_CLIENT_CONNECTIONS",
        50,
        "Most connections one client address may hold open at once (not behind a trusted proxy, whose address "
        "all clients share); more are closed at once (0: no limit). The server takes 1000 in all.",
        int,
    ),
    Setting(
        "request_timeout",
        "PARADIPLOMACY_REQUEST_TIMEOUT",
        15.0,
        "Seconds a client may take to send a whole request (line, headers, body); a slower one is disconnected.",
        float,
    ),
    Setting(
        "idle_timeout",
        "PARADIPLOMACY_IDLE_TIMEOUT",
        30,
        "Seconds a connection may make no progress (an idle keep-alive connection, or a client that does not "
        "read its answer); then it is closed and any answer buffered for it dropped.",
        int,
    ),
    Setting(
        "trusted_hosts",
        "PARADIPLOMACY_TRUSTED_HOSTS",
        (),
        "Host header values (names, without port) the server answers, separated by spaces; a request for "
        "any other host gets 400. Empty: any (the server's URLs never come from Host).",
        parse_iris,
    ),
    Setting(
        "updates",
        "PARADIPLOMACY_UPDATES",
        False,
        "Accept SPARQL Update (yes/no); also needs an update token.",
        parse_bool,
    ),
    Setting(
        "update_token",
        "PARADIPLOMACY_UPDATE_TOKEN",
        "",
        "Bearer token that an update request must present (Authorization: Bearer TOKEN).",
        secret=True,
    ),
    Setting(
        "service_allow",
        "PARADIPLOMACY_SERVICE_ALLOW",
        ("https://query.wikidata.org/sparql",),
        "Endpoints that federated SERVICE clauses may call, separated by spaces; empty: none.",
        parse_iris,
    ),
    Setting(
        "cors_origin",
        "PARADIPLOMACY_CORS_ORIGIN",
        "*",
        "Value of Access-Control-Allow-Origin for browser clients of other sites; empty: no CORS.",
    ),
    # behind a reverse proxy (docs/installing.md): which absolute URLs the server advertises
    Setting(
        "public_url",
        "PARADIPLOMACY_PUBLIC_URL",
        "",
        "The server's public base URL (e.g. https://kg.example.org/ or https://example.org/kg/): the absolute "
        "URLs of VoID, the service description, the pages and redirects; empty: from a trusted proxy's "
        "headers, else the address the server listens on (never a request's own Host header).",
    ),
    Setting(
        "trusted_proxy",
        "PARADIPLOMACY_TRUSTED_PROXY",
        "",
        "Address of the reverse proxy whose X-Forwarded-* headers waitress believes ('*': any); empty: none.",
    ),
    Setting(
        "trusted_proxy_headers",
        "PARADIPLOMACY_TRUSTED_PROXY_HEADERS",
        ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"),
        "Which of the trusted proxy's headers to believe, separated by spaces (waitress's names).",
        parse_iris,
    ),
    Setting(
        "url_scheme",
        "PARADIPLOMACY_URL_SCHEME",
        "http",
        "Scheme of the server's URLs when no proxy header says otherwise (https behind a TLS proxy).",
    ),
    Setting(
        "url_prefix",
        "PARADIPLOMACY_URL_PREFIX",
        "",
        "Path under which a proxy forwards to the server (e.g. /kg), stripped from requests and put before "
        "every URL the server writes; empty: none.",
    ),
    # the remote store (backend 'remote'): any SPARQL 1.1 server
    Setting(
        "remote_query_url",
        "PARADIPLOMACY_REMOTE_QUERY_URL",
        "",
        "SPARQL 1.1 query endpoint of the remote store, e.g. http://127.0.0.1:7878/query (Oxigraph server) "
        "or http://127.0.0.1:8890/sparql (Virtuoso).",
    ),
    Setting(
        "remote_update_url",
        "PARADIPLOMACY_REMOTE_UPDATE_URL",
        "",
        "SPARQL 1.1 update endpoint, e.g. http://127.0.0.1:7878/update; empty: the query URL (as on Virtuoso).",
    ),
    Setting(
        "remote_gsp_url",
        "PARADIPLOMACY_REMOTE_GSP_URL",
        "",
        "Graph Store HTTP Protocol endpoint (http://127.0.0.1:7878/store, Virtuoso's .../sparql-graph-crud), "
        "used for graphs too big for one update request; empty: SPARQL Update only.",
    ),
    Setting(
        "remote_user",
        "PARADIPLOMACY_REMOTE_USER",
        "",
        "User name for the remote store: HTTP basic, or digest where the server asks for it (Virtuoso's "
        "/sparql-auth); empty: none.",
    ),
    Setting(
        "remote_password", "PARADIPLOMACY_REMOTE_PASSWORD", "", "Password of remote_user (never printed).", str, True
    ),
    Setting(
        "remote_token",
        "PARADIPLOMACY_REMOTE_TOKEN",
        "",
        "Bearer token sent to the remote store (Authorization: Bearer; never printed); empty: none.",
        str,
        True,
    ),
    Setting(
        "remote_union",
        "PARADIPLOMACY_REMOTE_UNION",
        "union-default-graph",
        "How the remote store gives the union of the named graphs as default graph: 'union-default-graph' "
        "(Oxigraph server's request parameter), 'default' (its default graph already is the union), "
        "'virtuoso' (the same, for Virtuoso: no default graph of its own, graphs of its own in remote_system_graphs).",
    ),
    Setting(
        "remote_system_graphs",
        "PARADIPLOMACY_REMOTE_SYSTEM_GRAPHS",
        ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/sparql"),
        "Graphs that belong to the server, not the project (default: Virtuoso's own), separated by spaces: "
        "never listed, counted, exported or dropped (queries over the union still see them).",
        parse_iris,
    ),
    Setting(
        "remote_timeout",
        "PARADIPLOMACY_REMOTE_TIMEOUT",
        60.0,
        "Seconds to wait for the remote store's answer to one request.",
        float,
    ),
    Setting(
        "remote_batch",
        "PARADIPLOMACY_REMOTE_BATCH",
        250000,
        "Most quads in one write request to the remote store; a larger write takes several requests and is "
        "then not atomic.",
        int,
    ),
]


def _from_environment(setting: Setting):
    text = os.environ.get(setting.env)
    if text is None:
        return setting.default
    try:
        return setting.parse(text)
    except ValueError as exc:
        raise SettingError(f"{setting.env}={text!r}: {exc}") from exc


def setting_help(name: str) -> str:
    """The help of a setting, with its environment variable and default, for command-line options."""
    s = next(s for s in SETTINGS if s.name == name)
    default = " ".join(s.default) if isinstance(s.default, tuple) else s.default
    return f"{s.help} [env {s.env}; default {default}]"


class _ConfigMethods:
    """What every Config can do; its fields come from SETTINGS (see Config below)."""

    @classmethod
    def from_env(cls, home: str | Path | None = None, **overrides) -> Config:
        """The settings from the environment (PARADIPLOMACY_*), then the overrides that are not None
        (command-line options); `home` is the project directory."""
        values = {s.name: _from_environment(s) for s in SETTINGS}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values, **({"home": Path(home).resolve()} if home is not None else {}))

    def with_overrides(self, **overrides) -> Config:
        """A copy with the overrides that are not None (command-line options of a subcommand)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def path(self, name: str) -> Path:
        p = Path(getattr(self, name))
        return p if p.is_absolute() else (self.workspace if name == "store" else self.home) / p

    @property
    def workspace(self) -> Path:
        """Where the commands write (the store, reports): the project, or a per-user directory for the
        packaged project (paradiplomacy.project)."""
        from paradiplomacy.project import workspace

        return workspace(self.home)

    def describe(self) -> dict:
        secret = {s.name for s in SETTINGS if s.secret}
        return {
            f.name: "***" if f.name in secret and getattr(self, f.name) else str(getattr(self, f.name))
            for f in fields(self)
        }


# The settings as one object: a field per row of SETTINGS (its default written there, once) and the
# project directory `home`. Frozen: a changed setting is a new Config (with_overrides), passed on whole.
Config = make_dataclass(
    "Config",
    [
        ("home", Path, field(default_factory=_home)),
        *((s.name, type(s.default), field(default=s.default)) for s in SETTINGS),
    ],
    bases=(_ConfigMethods,),
    frozen=True,
    namespace={"__doc__": "Every setting of paradiplomacy (see SETTINGS)."},
)
Config.__module__ = __name__  # for pickling (the query workers receive it); make_dataclass's own argument is 3.12+
