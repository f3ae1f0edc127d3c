"""Importers of datasets of Chinese official finance, loans and investment in Africa.

One module per dataset (`aiddata`, `cari`, `aei`) reads its file into `Record`s, checking each
row (a malformed file fails with file, row and column); `actors` recognises provincial actors in
the records; `graph` turns records into RDF; `pipeline` validates the result against the SHACL
shapes and writes it to the store in one atomic step; `reference` holds the province-level units,
African states and firms that resolution uses. The `paradiplomacy import` commands are in `cli`.
"""

IMPORTERS = ("aiddata", "cari", "aei")


def reader(name: str):
    """The module that reads dataset `name` (its `DATASET` and `read(path)`)."""
    if name not in IMPORTERS:
        raise KeyError(name)
    from importlib import import_module

    return import_module(f"{__name__}.{name}")
