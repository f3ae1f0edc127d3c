"""The redirect rules of https://w3id.org/paradiplomacy/: the `.htaccess` that the w3id.org repository
(perma-id/w3id.org) keeps in its folder `paradiplomacy/`. Each IRI answers 303 See Other: to the RDF of
the resource when the request's Accept names an RDF syntax, else to its HTML page, on the server at
`server` (its public_url); the ontology's version IRIs and the releases to the published release files
when `releases` is given. `scripts/w3id_htaccess.py` writes it; tests/test_w3id.py plays it in Apache."""

from __future__ import annotations

# Accept pattern -> the server's ?format= name; the first that matches wins
RDF_SYNTAXES = [
    ("text/turtle", "turtle"),
    ("application/rdf\\+xml", "rdfxml"),
    ("application/ld\\+json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/trig", "trig"),
]
# the ontology's files in a release (paradiplomacy.release), by the same names
RELEASE_SUFFIXES = {"turtle": "ttl", "rdfxml": "rdf", "jsonld": "jsonld", "ntriples": "nt"}


def _negotiated(pattern: str, target: str, rdf_target=None) -> list[str]:
    """Rules for one path pattern: a 303 to rdf_target(format) per RDF syntax the Accept header names
    (unless it names HTML before), then a 303 to target (the page) for everything else."""
    rdf_target = rdf_target or (lambda fmt: f"{target}?format={fmt}")
    lines = []
    for accept, fmt in RDF_SYNTAXES:
        if rdf_target(fmt) is None:
            continue
        lines += [
            "RewriteCond %{HTTP_ACCEPT} !^\\s*(text/html|application/xhtml\\+xml)",
            f"RewriteCond %{{HTTP_ACCEPT}} {accept}",
            f"RewriteRule {pattern} {rdf_target(fmt)} [R=303,L,NE]",
        ]
    return lines + [f"RewriteRule {pattern} {target} [R=303,L,NE]", ""]


def htaccess(server: str, releases: str | None = None) -> str:
    server = server.rstrip("/")
    lines = [
        f"# Redirects of https://w3id.org/paradiplomacy/ to {server}/" + (f" and {releases}" if releases else ""),
        "# written by scripts/w3id_htaccess.py (paradiplomacy.w3id): regenerate it rather than edit it.",
        "# 303 See Other: RDF when the Accept header names an RDF syntax (and not HTML first), else the HTML page.",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        "",
        "# the dataset: the query interface, or its VoID description",
        *_negotiated("^$", f"{server}/", lambda fmt: f"{server}/.well-known/void?format={fmt}"),
        "# things and named graphs",
        *_negotiated("^resource/(.+)$", f"{server}/resource/$1"),
        *_negotiated("^graph/(.+)$", f"{server}/graph/$1"),
        "# the ontology (its terms are fragments: …/ontology#Term)",
        *_negotiated("^ontology$", f"{server}/ontology"),
    ]
    if releases:
        releases = releases.rstrip("/")
        lines += [
            "# the ontology's version IRIs: that version's files in its release",
            *_negotiated(
                "^ontology/([0-9][^/]*)$",
                f"{releases}/$1/ontology/index.html",
                lambda fmt: f"{releases}/$1/ontology-$1.{RELEASE_SUFFIXES[fmt]}" if fmt in RELEASE_SUFFIXES else None,
            ),
            "# the releases' files",
            "RewriteRule ^release/(.+)$ " + releases + "/$1 [R=303,L,NE]",
            "",
        ]
    else:
        lines += [
            "# the ontology's version IRIs: the server's ontology",
            *_negotiated("^ontology/(.+)$", f"{server}/ontology/$1"),
        ]
    lines += ["# the SPARQL endpoint (307: a POST stays a POST)", f"RewriteRule ^sparql$ {server}/sparql [R=307,L]", ""]
    return "\n".join(lines)
