"""Searching zhsearch indexes: ``from query import Index``.

Names load on first use, so importing one light module of the package (the
command line's help needs ``query.language``) does not load Whoosh.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "Index": "query.index", "Results": "query.index", "Hit": "query.index",
    "Article": "query.index", "IndexNotFoundError": "query.index",
    "default_index_path": "query.index", "QueryError": "query.language",
    "IndexVersionError": "indexer.schema", "IndexDamagedError": "indexer.schema",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'query' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
