"""Searching zhsearch indexes: ``from query import Index``."""

from query.index import Article, Hit, Index, IndexNotFoundError, Results, default_index_path
from query.language import QueryError
from indexer.schema import IndexDamagedError, IndexVersionError

__all__ = ["Index", "Results", "Hit", "Article", "QueryError", "IndexNotFoundError",
           "IndexVersionError", "IndexDamagedError", "default_index_path"]
