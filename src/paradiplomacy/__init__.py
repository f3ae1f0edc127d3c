"""paradiplomacy-kg: a linked-data knowledge graph of sub-state actors in foreign relations."""

__version__ = "0.1.0"
