"""IRIs of the project and of the vocabularies it reuses."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD  # noqa: F401  (ORG, VOID: imported from here)

from paradiplomacy import __version__

BASE = "https://w3id.org/paradiplomacy/"
PD = Namespace(BASE + "ontology#")  # ontology terms
PDR = Namespace(BASE + "resource/")  # things: actors, engagements, claims, works
PDG = Namespace(BASE + "graph/")  # named graphs that are not claims
ONTOLOGY_IRI = URIRef(BASE + "ontology")

OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("http://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

SOFTWARE = PDR[
    "software-paradiplomacy-" + __version__.replace(".", "-")
]  # the prov:SoftwareAgent of builds and imports

GRAPH_ONTOLOGY = PDG.ontology
GRAPH_BIBLIOGRAPHY = PDG.bibliography
GRAPH_PROVENANCE = PDG.provenance
GRAPH_INFERRED = PDG.inferred
GRAPH_INFERRED_PROVENANCE = PDG["inferred-provenance"]
# the defined-class memberships that hold on the explicit statements alone (claims marked
# interpretation left out): what survives if every interpretation of the editors is dropped
GRAPH_INFERRED_EXPLICIT = PDG["inferred-explicit"]
GRAPH_REFERENCE = PDG.reference  # the province-level units and African states every build includes
GRAPH_REFERENCE_PROVENANCE = PDG["reference-provenance"]
GRAPH_LINKSET = PDG["links-wikidata"]  # the curated Wikidata links (skos:exactMatch)
GRAPH_SAMEAS = PDG["links-wikidata-sameas"]  # the same links as owl:sameAs, opt-in
GRAPH_SLICE = PDG["wikidata"]  # the offline slice of Wikidata
GRAPH_SLICE_PROVENANCE = PDG["wikidata-provenance"]

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
