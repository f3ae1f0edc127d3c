"""IRIs of the project and of the vocabularies it reuses."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/paradiplomacy/"
PD = Namespace(BASE + "ontology#")  # ontology terms
PDR = Namespace(BASE + "resource/")  # things: actors, engagements, claims, works
PDG = Namespace(BASE + "graph/")  # named graphs that are not claims
ONTOLOGY_IRI = URIRef(BASE + "ontology")

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("http://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")

GRAPH_ONTOLOGY = PDG.ontology
GRAPH_BIBLIOGRAPHY = PDG.bibliography
GRAPH_PROVENANCE = PDG.provenance
GRAPH_INFERRED = PDG.inferred
# the defined-class memberships that hold on the explicit statements alone (claims marked
# interpretation left out): what survives if every interpretation of the editors is dropped
GRAPH_INFERRED_EXPLICIT = PDG["inferred-explicit"]

PREFIXES = {
    "pd": str(PD),
    "pdr": str(PDR),
    "pdg": str(PDG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "org": str(ORG),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "dct": str(DCTERMS),
    "bibo": str(BIBO),
    "oa": str(OA),
    "schema": str(SCHEMA),
}


def claim_iri(claim_id: str) -> URIRef:
    """The claim's IRI, which is also the name of the graph holding its assertion."""
    return PDR["claim-" + claim_id]


def claim_provenance_iri(claim_id: str) -> URIRef:
    """The graph holding the claim's provenance (nanopublication style: one per claim)."""
    return PDR["claim-" + claim_id + "-provenance"]
