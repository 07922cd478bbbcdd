"""The article schema and the version stamp every index carries.

Fields (``title``, ``body`` rank; ``*_grams`` answer quoted phrases):

=============== ======================================================
``id``          unique article id (stored, sortable)
``digest``      content hash, to skip unchanged records on re-index
``source``      the file the article came from
``paper``       newspaper name (exact match, facet)
``date``        issue date as ``YYYYMMDD`` int (range, sort, facet)
``page``        page number (filter, sort, facet)
``seq``         order on the page
``title``       headline lines joined by ``\\n`` (words, boosted)
``body``        article text (words; stored for snippets)
``title_grams`` ``body_grams``  the same texts as character pairs with
                positions (exact phrases)
``reporters``   reporters' names (comma list; filter, facet)
``correspondents`` correspondents' names
``agency`` ``place`` ``url`` ``continued_to`` ``continued_from``
=============== ======================================================
"""

from __future__ import annotations

import json
import pickle
import struct
import zlib
from pathlib import Path

from whoosh import fields

from indexer.analysis import ANALYSIS_VERSION, ChineseTokenizer, GramTokenizer
from indexer.formats import BulkFrequency, BulkPositions
from indexer.normalize import FOLD_VERSION

SCHEMA_VERSION = 6
#: Headline words weigh this much more than body words (BM25F field boost).
TITLE_BOOST = 3.0
META_FILE = "zhsearch.json"


def index_version() -> dict:
    """What an index must have been built with to be read by this code."""
    return {"schema": SCHEMA_VERSION, "analysis": ANALYSIS_VERSION, "fold": FOLD_VERSION}


def article_schema() -> fields.Schema:
    words = ChineseTokenizer()
    grams = GramTokenizer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        digest=fields.ID(stored=False, sortable=True),
        source=fields.ID(stored=True, sortable=True),
        paper=fields.ID(stored=True, sortable=True),
        date=fields.NUMERIC(int, stored=True, sortable=True, signed=False),
        page=fields.NUMERIC(int, stored=True, sortable=True, signed=False),
        seq=fields.STORED(),
        title=_text(words, BulkFrequency, stored=True, field_boost=TITLE_BOOST),
        body=_text(words, BulkFrequency, stored=True),
        title_grams=_text(grams, BulkPositions, text_of="title"),
        body_grams=_text(grams, BulkPositions, text_of="body"),
        reporters=fields.KEYWORD(stored=True, commas=True, scorable=True, sortable=True),
        correspondents=fields.KEYWORD(stored=True, commas=True, scorable=True, sortable=True),
        agency=fields.ID(stored=True),
        place=fields.ID(stored=True),
        url=fields.STORED(),
        continued_to=fields.STORED(),
        continued_from=fields.STORED(),
    )


def _text(analyzer, format_class, field_boost: float = 1.0, text_of: str | None = None,
          **options) -> fields.TEXT:
    """A text field whose postings use ``format_class`` (see ``indexer.formats``).
    ``text_of``: the stored field whose text this one indexes again (merges
    rebuild the field from it, see ``indexer.postings.BulkWriting``)."""
    field = fields.TEXT(analyzer=analyzer, field_boost=field_boost, **options)
    field.format = format_class(field_boost=field_boost)
    field.text_of = text_of
    return field


class IndexVersionError(Exception):
    """The index was built by an incompatible version of zhsearch."""


class IndexDamagedError(Exception):
    """The index files cannot be read (truncated, corrupted, deleted underneath)."""


#: What Whoosh raises on unreadable index files.
READ_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
               struct.error, zlib.error, pickle.UnpicklingError)


def damaged(path: Path, error: Exception) -> IndexDamagedError:
    """The error to raise when reading the index at ``path`` failed with ``error``."""
    return IndexDamagedError(
        f"the index at {path} cannot be read ({type(error).__name__}: {error}); "
        f"if it is damaged, rebuild it with: zhsearch index --rebuild --index {path} SOURCE...")


def write_meta(index_dir: Path, extra: dict | None = None) -> None:
    meta = {**index_version(), **(extra or {})}
    tmp = index_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(index_dir / META_FILE)


def read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check_version(index_dir: Path) -> dict:
    """The index's metadata; ``IndexVersionError`` unless built by this version."""
    meta = read_meta(index_dir)
    wanted = index_version()
    found = {key: meta.get(key) for key in wanted}
    if found != wanted:
        raise IndexVersionError(
            f"the index at {index_dir} was built by another version of zhsearch "
            f"({found}, this one needs {wanted}); rebuild it with: "
            f"zhsearch index --rebuild --index {index_dir} SOURCE..."
        )
    return meta


def is_grams(field) -> bool:
    """Whether the field holds character pairs with positions (``indexer.gramsort``)."""
    return isinstance(field.analyzer, GramTokenizer) and isinstance(field.format, BulkPositions)
