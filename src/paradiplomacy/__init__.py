"""paradiplomacy-kg: a linked-data knowledge graph of sub-state actors in foreign relations.

`paradiplomacy.open()` opens the knowledge graph for Python (paradiplomacy.api, docs/python-api.md);
it is imported on first use, so that importing the package stays cheap.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "open":
        from paradiplomacy.api import open

        return open
    raise AttributeError(f"module 'paradiplomacy' has no attribute {name!r}")
