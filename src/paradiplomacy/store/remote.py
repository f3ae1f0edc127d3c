"""A remote SPARQL 1.1 store behind the store interface (backend 'remote').

It speaks the SPARQL 1.1 Protocol (query and update) to any SPARQL 1.1 server, and the Graph
Store HTTP Protocol where the server has one; answers become the same rdflib terms as the
embedded store gives (see remote_sparql). Queries get the project's prefixes where they do not
declare them.

Writes. Everything is validated before the first request (the loader does it). A write of at
most `remote_batch` quads (on Virtuoso, 4 MiB of SPARQL) goes in ONE update request: the drops (DROP ALL,
or DROP SILENT GRAPH for each graph replaced) and the inserts together. Oxigraph server runs a
request in one transaction, so such a write is atomic there; Virtuoso commits each operation of
a request as it runs, so a request that fails half-way (at run time; a syntax or literal error
rejects it whole) leaves its first operations applied. A larger write goes in several requests:
the first carries the drops, and a failure part-way leaves the store partly written (the error
says how far it got); build again. With a GSP URL, a graph too big for one request is POSTed by
the Graph Store Protocol (one transaction per request on Oxigraph server).

How the union of the named graphs becomes the default graph is a setting (`remote_union`):
'union-default-graph' (Oxigraph server's request parameter), 'default' (the server's default graph
already is the union), 'virtuoso' (the same; Virtuoso has no default graph of its own, and keeps
graphs of its own: `remote_system_graphs`, never listed, counted, exported or dropped, but seen by
queries, since Virtuoso's input:*-graph-exclude pragmas make GRAPH <iri> patterns match nothing).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse

import requests
from rdflib import URIRef
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from paradiplomacy import http
from paradiplomacy.errors import StoreError
from paradiplomacy.rdfutil import quad_to_ox
from paradiplomacy.sparql.lexer import request_form
from paradiplomacy.sparql.prefixes import with_prefixes
from paradiplomacy.store import remote_sparql as rs
from paradiplomacy.store.base import QueryResult, QuerySyntaxError, Store, dump_dataset

PURPOSE = "remote store"
USER_AGENT = http.user_agent(PURPOSE)
UNION_MODES = ("union-default-graph", "default", "virtuoso")
MAX_REQUEST_BYTES = {"virtuoso": 8 * 2**20}  # Virtuoso refuses SPARQL texts over 10 MB
DEFAULT_MAX_REQUEST_BYTES = 256 * 2**20
NO_DEFAULT_GRAPH = "urn:x-paradiplomacy:no-default-graph"  # an empty graph, for union_default=False
ACCEPT = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "graph": "application/n-triples",
}


class _ChallengeAuth(AuthBase):
    """Answers the server's challenge, basic or digest (Virtuoso's /sparql-auth asks for digest),
    and sends basic credentials at once only to a URL where basic has worked: the password never
    goes unasked. Digest is requests' own (which answers at once with the last nonce after a
    first challenge); basic is answered here, after a 401 whose WWW-Authenticate asks for it.
    A bearer token, if any, goes with every request until the server asks for more."""

    def __init__(self, user: str, password: str, token: str = ""):
        self._basic, self._digest = HTTPBasicAuth(user, password), HTTPDigestAuth(user, password)
        self._bearer = _Bearer(token) if token else None
        self._basic_works: set[str] = set()  # the URLs (without query) that took basic credentials
        self._lock = threading.Lock()

    @staticmethod
    def _where(url: str) -> str:
        return url.split("?", 1)[0].split("#", 1)[0]

    def __call__(self, r):
        if self._where(r.url) in self._basic_works:
            return self._basic(r)
        if self._bearer:
            r = self._bearer(r)
        r = self._digest(r)
        r.register_hook("response", self._answer_basic)  # after the digest's own hook
        return r

    def _answer_basic(self, r, **kwargs):
        asked = r.headers.get("WWW-Authenticate", "")
        if (
            r.status_code != 401
            or not re.search(r"(^|,)\s*basic\b", asked, re.IGNORECASE)
            or r.request.headers.get("Authorization", "").startswith(("Basic ", "Digest "))
        ):
            return r  # not asked for basic, or answered already (the password was wrong)
        _ = r.content  # read the body, so that the connection can be used again
        r.close()
        request = r.request.copy()
        self._basic(request)
        answer = r.connection.send(request, **kwargs)
        answer.history.append(r)
        answer.request = request
        if answer.status_code != 401:
            with self._lock:
                self._basic_works.add(self._where(request.url))
        return answer


class _NoAuth(AuthBase):
    """No credentials: also none from ~/.netrc, which requests would otherwise send unasked."""

    def __call__(self, r):
        return r


class _Bearer(AuthBase):
    def __init__(self, token: str):
        self._header = "Bearer " + token

    def __call__(self, r):
        r.headers["Authorization"] = self._header
        return r


class RemoteStore(Store):
    name = "remote"
    upstream = True

    def __init__(
        self,
        query_url: str,
        update_url: str = "",
        gsp_url: str = "",
        *,
        user: str = "",
        password: str = "",
        token: str = "",
        union: str = "union-default-graph",
        system_graphs=(),
        timeout: float = 60.0,
        batch: int = 250000,
    ):
        if not query_url:
            raise StoreError("the remote backend needs a query URL (PARADIPLOMACY_REMOTE_QUERY_URL)")
        if union not in UNION_MODES:
            raise StoreError(f"unknown remote_union {union!r}: use one of {', '.join(UNION_MODES)}")
        self.query_url, self.update_url = query_url, update_url or query_url
        self.gsp_url, self.union, self.timeout = gsp_url, union, float(timeout)
        self.system_graphs = tuple(str(g) for g in system_graphs)
        self.batch = max(1, int(batch))
        # Queries are idempotent: their session retries a 429 or 503 (honouring Retry-After).
        # Updates and Graph Store writes are not: their session never sends a request twice.
        self._queries = http.session(PURPOSE, timeout=self.timeout)
        self._writes = http.session(PURPOSE, timeout=self.timeout, retries=0)
        auth = _ChallengeAuth(user, password, token) if user else _Bearer(token) if token else _NoAuth()
        self._queries.auth = self._writes.auth = auth  # one auth: basic once accepted, digest's nonce

    def close(self) -> None:
        self._queries.close()
        self._writes.close()

    @classmethod
    def from_config(cls, config) -> RemoteStore:
        return cls(
            config.remote_query_url,
            config.remote_update_url,
            config.remote_gsp_url,
            user=config.remote_user,
            password=config.remote_password,
            token=config.remote_token,
            union=config.remote_union,
            system_graphs=config.remote_system_graphs,
            timeout=config.remote_timeout,
            batch=config.remote_batch,
        )

    # ---- HTTP ------------------------------------------------------------------------------
    def _send(
        self,
        url: str,
        body: bytes | None,
        content_type: str | None,
        accept: str | None = None,
        method: str = "POST",
        syntax_errors: bool = False,
        query: bool = False,
    ) -> tuple[dict, bytes]:
        """One request; `query`: a query (idempotent), retried where the server answers 429 or 503."""
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        session = self._queries if query else self._writes
        try:
            response = session.request(method, url, data=body, headers=headers)
        except requests.RequestException as exc:
            if http.is_read_timeout(exc):
                raise StoreError(f"the SPARQL server at {url} did not answer within {self.timeout:g}s") from None
            raise StoreError(f"cannot reach the SPARQL server at {url}: {http.reason(exc)}") from None
        if response.status_code >= 400:
            message = response.content.decode("utf-8", "replace").strip()[:2000] or response.reason
            if syntax_errors and response.status_code == 400:
                raise QuerySyntaxError(message) from None
            raise StoreError(
                f"the SPARQL server at {url} answered {response.status_code} {response.reason}: {message}"
            ) from None
        return dict(response.headers.items()), response.content

    def _form(
        self, url: str, params: list, accept: str | None = None, syntax_errors: bool = False, query: bool = False
    ):
        return self._send(
            url,
            urllib.parse.urlencode(params).encode(),
            "application/x-www-form-urlencoded",
            accept,
            syntax_errors=syntax_errors,
            query=query,
        )

    # ---- reading ---------------------------------------------------------------------------
    def _dataset(self, union_default, default_graphs, named_graphs) -> list:
        default_graphs = [str(g) for g in default_graphs or ()]
        named_graphs = [str(g) for g in named_graphs or ()]
        if named_graphs and not default_graphs and union_default:
            default_graphs = [str(g) for g in self.named_graphs()]  # the union, spelled out
        if default_graphs and not named_graphs and self.union != "virtuoso":
            named_graphs = [str(g) for g in self.named_graphs()]  # the protocol would otherwise drop them
        params = [("default-graph-uri", g) for g in default_graphs or ([NO_DEFAULT_GRAPH] if named_graphs else [])]
        params += [("named-graph-uri", g) for g in named_graphs]
        if default_graphs or named_graphs:
            return params
        if not union_default:
            if self.union == "virtuoso":  # Virtuoso keeps every named graph with an explicit default graph
                return [("default-graph-uri", NO_DEFAULT_GRAPH)]
            if self.union == "default":
                raise StoreError(
                    "this server's default graph is the union of its graphs: it has no "
                    "separate default graph to query (remote_union=default)"
                )
            return []
        return [("union-default-graph", "")] if self.union == "union-default-graph" else []

    def _ask(self, sparql: str, union_default, default_graphs, named_graphs) -> tuple[str | None, bytes]:
        """Send a query; (its form, the answer's body): JSON results, or N-Triples for a graph."""
        form = rs.RESULT_KINDS.get(request_form(sparql))
        params = [("query", with_prefixes(sparql))] + self._dataset(union_default, default_graphs, named_graphs)
        headers, body = self._form(self.query_url, params, ACCEPT.get(form or "select"), syntax_errors=True, query=True)
        headers = {k.lower(): v for k, v in headers.items()}
        if "x-sparql-maxrows" in headers:
            raise StoreError(
                f"the SPARQL server at {self.query_url} cut the answer at {headers['x-sparql-maxrows']} "
                "rows (Virtuoso: raise ResultSetMaxRows in its [SPARQL] section)"
            )
        if "x-sql-state" in headers:  # Virtuoso's "anytime" answer: what it found before its time limit
            raise StoreError(
                f"the SPARQL server at {self.query_url} gave an incomplete answer: "
                f"{headers.get('x-sql-message', headers['x-sql-state'])}"
            )
        return form, body

    def _unreadable(self, exc: Exception) -> StoreError:
        return StoreError(f"cannot read the answer of the SPARQL server at {self.query_url}: {exc}")

    def query(self, sparql, *, union_default=True, default_graphs=None, named_graphs=None):
        form, body = self._ask(sparql, union_default, default_graphs, named_graphs)
        try:
            if form == "graph":
                import pyoxigraph as ox

                parsed = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                return QueryResult(
                    "graph",
                    triples=[(rs.from_ox(t.subject), rs.from_ox(t.predicate), rs.from_ox(t.object)) for t in parsed],
                )
            data = json.loads(body)
            if "boolean" in data:
                return QueryResult("ask", boolean=bool(data["boolean"]))
            names = data["head"]["vars"]
            rows = [tuple(rs.json_term(b[v]) if v in b else None for v in names) for b in data["results"]["bindings"]]
            return QueryResult("select", names, rows)
        except (ValueError, KeyError, SyntaxError) as exc:
            raise self._unreadable(exc) from exc

    def execute(
        self,
        sparql: str,
        *,
        union_default: bool = True,
        default_graphs=None,
        named_graphs=None,
        substitutions: dict | None = None,
        base_iri: str | None = None,
    ):
        """The answer as pyoxigraph's own kinds, as OxigraphStore.execute gives it (QuerySolutions or
        QueryBoolean; a graph as a list of triples), for the endpoint's workers to serialise.
        `substitutions` (variable name -> IRI) become a trailing VALUES clause, which SPARQL joins
        with the query's pattern before grouping, ordering and LIMIT; `base_iri` a BASE before the
        query (on its first line: the server's messages keep their line numbers), which a BASE of the
        query itself overrides."""
        import pyoxigraph as ox

        if base_iri:
            sparql = f"BASE {rs.iri(base_iri)} {sparql}"
        if substitutions:
            names = " ".join("?" + name for name in substitutions)
            iris = " ".join(rs.iri(str(v)) for v in substitutions.values())
            sparql = f"{sparql}\nVALUES ({names}) {{ ({iris}) }}"
        form, body = self._ask(sparql, union_default, default_graphs, named_graphs)
        try:
            if form == "graph":
                return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (ValueError, SyntaxError) as exc:
            raise self._unreadable(exc) from exc

    def _graph_filter(self, var: str = "?g") -> str:
        if not self.system_graphs:
            return ""
        return f"FILTER({var} NOT IN ({', '.join(f'<{g}>' for g in self.system_graphs)}))"

    def _default_graph_too(self) -> bool:
        """Only Oxigraph server's mode has a default graph of its own, apart from the union."""
        return self.union == "union-default-graph"

    def __len__(self):
        n = int(
            self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}").rows[0][0]
        )
        if self._default_graph_too():
            n += int(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default=False).rows[0][0])
        return n

    def named_graphs(self):
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}").rows
        return sorted(r[0] for r in rows if isinstance(r[0], URIRef))

    def quads(self) -> list[tuple]:
        """Every quad (default graph: None), with a check that the server did not cut the answer."""
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}").rows
        if self._default_graph_too():
            rows += [(*r, None) for r in self.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", union_default=False).rows]
        expected = len(self)
        if len(rows) != expected:
            raise StoreError(
                f"the SPARQL server at {self.query_url} gave {len(rows)} of {expected} quads "
                "(a limit on answer rows, or a write while reading)"
            )
        return rows

    def export(self, fmt):
        import pyoxigraph as ox

        dataset = ox.Store()
        dataset.bulk_extend(quad_to_ox(*q) for q in self.quads())
        return dump_dataset(dataset, fmt)

    # ---- writing ---------------------------------------------------------------------------
    def update(self, sparql: str, _internal: bool = False) -> None:
        """One SPARQL Update request (the project's prefixes added where not declared)."""
        if not _internal:
            sparql = with_prefixes(sparql)
        self._form(self.update_url, [("update", sparql)], syntax_errors=not _internal)

    def _keeps_own_graphs(self) -> bool:
        return (
            self.union == "virtuoso"
            or bool(self.system_graphs)
            and self.query(
                f"ASK {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in self.system_graphs)} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            ).boolean
        )

    def replace_all(self, quads):
        """DROP ALL, unless the server keeps graphs of its own: then one DELETE of every other quad
        (Virtuoso compiles each operation of a request to SQL, and a request of one DROP per graph
        soon passes its limit of 10,000 lines of SQL)."""
        if self._keeps_own_graphs():
            drops = [f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}"]
            if self._default_graph_too():
                drops.append("DROP SILENT DEFAULT")
        else:
            drops = ["DROP ALL"]
        self._write(drops, quads)

    def add(self, quads, replace_graphs=()):
        graphs = sorted(map(str, replace_graphs))
        if self.union == "virtuoso":  # one operation per request chunk, for the reason above
            drops = [
                f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in graphs[i : i + 500])} }} "
                "GRAPH ?g { ?s ?p ?o } }"
                for i in range(0, len(graphs), 500)
            ]
        else:
            drops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        self._write(drops, quads)

    def _write(self, drops: list[str], quads) -> None:
        all_units = rs.units(quads)
        by_gsp: dict = {}
        if self.gsp_url and sum(len(u.lines) for u in all_units) > self.batch:
            by_graph: dict = {}
            for u in all_units:
                by_graph.setdefault(u.lines[0][0], []).append(u)
            big = {
                g
                for g, us in by_graph.items()
                if g
                and sum(len(u.lines) for u in us) > self.batch
                and all(line[0] == g for u in us for line in u.lines)
            }
            by_gsp = {g: by_graph[g] for g in big}
            all_units = [u for u in all_units if u.lines[0][0] not in big]
        requests = [(None, ops) for ops in self._update_requests(drops, all_units)]
        for g, us in by_gsp.items():
            requests += [(g, b) for b in rs.batches(us, self.batch, 2**62)]
        for i, (graph, payload) in enumerate(requests):
            try:
                if graph is None:
                    self.update(" ;\n".join(payload), _internal=True)
                else:
                    url = (
                        self.gsp_url + ("&" if "?" in self.gsp_url else "?") + urllib.parse.urlencode({"graph": graph})
                    )
                    self._send(url, rs.ntriples(payload), "application/n-triples")
            except StoreError as exc:
                if len(requests) == 1:
                    raise
                raise StoreError(
                    f"write request {i + 1} of {len(requests)} failed; the earlier ones are applied, "
                    f"so the remote store holds part of this write (write it again): {exc}"
                ) from exc

    def _update_requests(self, drops: list[str], all_units) -> list[list[str]]:
        """The drops first (in requests of at most half the byte limit), the first inserts with
        the last of them, so that a write that fits is one request."""
        half = MAX_REQUEST_BYTES.get(self.union, DEFAULT_MAX_REQUEST_BYTES) // 2
        requests, current, size = [], [], 0
        for op in drops:
            if current and size + len(op) > half:
                requests.append(current)
                current, size = [], 0
            current.append(op)
            size += len(op) + 3
        inserts = [rs.insert_operations(b) for b in rs.batches(all_units, self.batch, half)]
        requests.append(current + (inserts[0] if inserts else []))
        requests += inserts[1:]
        return [ops for ops in requests if ops]
