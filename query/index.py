"""Searching an index from Python: ``Index``, ``Results``, ``Hit``.

    from query import Index
    index = Index.open("zhsearch-index")
    for hit in index.search("浙商银行").hits:
        print(hit.score, hit.title, hit.snippet)

Results are plain frozen dataclasses; no Whoosh object leaks out. One
``Index`` serves searches from many threads (each thread keeps its own
Whoosh searcher and refreshes it when another process commits).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import EmptyIndexError

from indexer import userdict
from indexer.schema import READ_ERRORS, IndexDamagedError, IndexVersionError, check_version, damaged
from query.bulkscore import ranked
from query.columns import column_values, value_counts
from query.language import parse
from query.matching import (bag_units, can_relax, misspelled, needles, pasted_text, pinyin_letters,
                            pinyin_query, to_whoosh)
from query.pinyin import PinyinVocabulary
from query.rerank import DEPTH, reranked
from query.scoring import BM25F
from query.snippets import highlight_spans, make_snippet, opening

#: Where the index lives when no path is given (``$ZHSEARCH_INDEX`` overrides).
DEFAULT_INDEX = Path.home() / ".local" / "share" / "zhsearch" / "index"
SORTS = {"relevance": (None, False), "date": ("date", False), "-date": ("date", True)}
#: Facets ``search(facets=...)`` can count, and the column each one reads.
FACETS = {"reporter": "reporters", "correspondent": "correspondents", "paper": "paper",
          "page": "page", "month": "date"}
#: BM25F length normalisation and term saturation, tuned on the dev title
#: queries (``benchmarks/quality.py``): news articles vary a lot in length.
BM25_B, BM25_K1 = 0.5, 1.2
#: Where the pinyin vocabulary of an index is kept between runs.
PINYIN_CACHE = "zhsearch-pinyin.sqlite"
OLD_PINYIN_CACHE = "zhsearch-pinyin.pickle"
#: Fewer hits than this make a hanzi query look for a "did you mean".
SUGGEST_BELOW = 3
#: Key terms ``similar()`` draws from an article.
SIMILAR_TERMS = 12


class IndexNotFoundError(Exception):
    """No index at the given path."""


def default_index_path() -> Path:
    return Path(os.environ.get("ZHSEARCH_INDEX") or DEFAULT_INDEX)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title: str
    paper: str | None
    date: dt.date | None
    page: int | None
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    snippet_start: int = 0
    #: The article's opening sentence (shown when it has no headline).
    lead: str = ""

    @property
    def display_title(self) -> str:
        """The headline, or the article's opening sentence when it has none."""
        return self.title or self.lead


@dataclass(frozen=True)
class Results:
    #: How many articles match.
    total: int
    hits: tuple[Hit, ...]
    query: str = ""
    #: ``{facet: ((value, count), ...)}``, most frequent first, for the facets asked for.
    facets: dict = field(default_factory=dict)
    #: The hanzi a pinyin query was read as (``gongshu`` → ``拱墅``).
    pinyin: str | None = None
    #: "Did you mean": the query with homophones that are far more frequent.
    suggestion: str | None = None


@dataclass(frozen=True)
class Article:
    """One stored article, as ``zhsearch show`` prints it."""
    id: str
    title: tuple[str, ...]
    body: str
    paper: str | None = None
    date: dt.date | None = None
    page: int | None = None
    fields: dict = field(default_factory=dict)


def _read_text(fields: dict) -> str:
    """An article as read: its headline lines, then its body."""
    return f"{fields.get('title', '')}\n{fields.get('body', '')}"


def _date(number: int | None) -> dt.date | None:
    if not number:
        return None
    return dt.date(number // 10000, number // 100 % 100, number % 100)


class Index:
    """A read-only handle on an index folder."""

    def __init__(self, ix, path: Path):
        self._ix = ix
        self.path = path
        self._local = threading.local()
        self._pinyin: tuple[int, PinyinVocabulary] | None = None
        self._vocabulary_lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "Index":
        """Open the index at ``path`` (default: ``default_index_path()``).

        Raises ``IndexNotFoundError`` or ``IndexVersionError``.
        """
        path = Path(path) if path is not None else default_index_path()
        if not path.is_dir() or not whoosh_index.exists_in(path):
            raise IndexNotFoundError(
                f"no index at {path}; build one with: zhsearch index --index {path} SOURCE...")
        userdict.activate(path, check_version(path))
        try:
            index = cls(whoosh_index.open_dir(path), path)
            index._searcher()
            return index
        except EmptyIndexError as error:
            raise IndexNotFoundError(f"no index at {path}: {error}") from None
        except READ_ERRORS as error:
            raise damaged(path, error) from None

    def _searcher(self):
        """This thread's searcher, reopened whole when another process committed.

        (Whoosh's ``Searcher.refresh`` reuses segment readers whose deletions
        changed, and then counts deleted articles.)
        """
        searcher = getattr(self._local, "searcher", None)
        generation = self._ix.latest_generation()
        if searcher is None or getattr(self._local, "generation", None) != generation:
            if searcher is not None:
                searcher.close()
            searcher = self._ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
            self._local.searcher = searcher
            self._local.generation = searcher.reader().generation()
        return searcher

    def search(self, q: str, limit: int | None = 10, offset: int = 0,
               sort: str = "relevance", facets: tuple[str, ...] = ()) -> Results:
        """Ranked matches of query ``q`` (see ``query.language``).

        ``limit=None`` returns every match; ``sort`` is ``relevance``,
        ``date`` or ``-date`` (the most relevant first within a day);
        ``facets`` names facets to count over all matches (``reporter``,
        ``correspondent``, ``paper``, ``page``, ``month``). Raises
        ``QueryError`` for a query the parser cannot read; an empty query
        returns no hits. ``total`` counts every match.
        """
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        unknown = set(facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet {', '.join(sorted(unknown))}; use {', '.join(FACETS)}")
        tree = parse(q)
        if tree is None:
            return Results(0, (), q, {name: () for name in facets})
        try:
            return self._search(tree, q, limit, offset, sort, facets)
        except READ_ERRORS as error:
            raise damaged(self.path, error) from None

    def _search(self, tree, q, limit, offset, sort, facets) -> Results:
        searcher = self._searcher()
        wanted = None if limit is None else offset + limit
        sortedby, reverse = SORTS[sort]
        matcher = to_whoosh(tree, reader=searcher.reader())
        marks = needles(tree)
        letters = pinyin_letters(tree)
        spelled = self._vocabulary(searcher).spell(letters) if letters else None
        if spelled:
            matcher = wq.Or([matcher, pinyin_query(spelled)])
            marks += [word for options in spelled for word in options]
        stored = lru_cache(maxsize=None)(searcher.stored_fields)  # the second look reads the hits too
        top, total = self._ranked(searcher, stored, matcher, tree, False, wanted, sortedby, reverse)
        if not total and can_relax(tree):
            matcher = to_whoosh(tree, relaxed=True, reader=searcher.reader())
            top, total = self._ranked(searcher, stored, matcher, tree, True, wanted, sortedby, reverse)
        hits = tuple(self._hit(stored(docnum), score, marks) for score, docnum in top[offset:])
        if facets:
            every = top if limit is None else ranked(searcher, matcher, None)[0]
            counts = self._facets(searcher, [docnum for _, docnum in every], facets)
        else:
            counts = {}
        suggestion = None
        if total < SUGGEST_BELOW and not letters:
            suggestion = misspelled(tree, self._vocabulary(searcher))
        pinyin = " ".join(options[0] for options in spelled) if spelled else None
        return Results(total, hits, q, counts, pinyin, suggestion)

    @staticmethod
    def _ranked(searcher, stored, matcher, tree, relaxed, wanted, sortedby, reverse):
        """``ranked``; by relevance, a pasted text's best hits are read again (``query.rerank``)."""
        pasted = pasted_text(tree, relaxed) if sortedby is None else None
        if pasted is None:
            return ranked(searcher, matcher, wanted, sortedby, reverse)
        top, total = ranked(searcher, matcher, None if wanted is None else max(wanted, DEPTH))
        weights = {unit: searcher.idf("body", unit) for unit in bag_units(pasted, None, searcher.reader())}
        top = reranked(top, lambda number: _read_text(stored(number)), pasted, weights)
        return top[:wanted], total

    def _vocabulary(self, searcher) -> PinyinVocabulary:
        """The pinyin vocabulary of the index as this searcher sees it (built once per commit)."""
        generation = searcher.reader().generation()
        with self._vocabulary_lock:
            if self._pinyin is None or self._pinyin[0] != generation:
                vocabulary = PinyinVocabulary.cached(self.path / PINYIN_CACHE, generation, searcher.reader())
                self._pinyin = (generation, vocabulary)
                with contextlib.suppress(OSError):  # what indexes of before 2026-11-29 kept it in
                    (self.path / OLD_PINYIN_CACHE).unlink(missing_ok=True)
            return self._pinyin[1]

    @staticmethod
    def _facets(searcher, docnums, names) -> dict:
        docnums = np.asarray(docnums, dtype=np.int64)
        counters = {}
        for name in names:
            if name in ("page", "month"):
                values = column_values(searcher, FACETS[name], docnums)
                keys, counts = np.unique(values[values > 0] // (100 if name == "month" else 1), return_counts=True)
                counters[name] = Counter({f"{key // 100:04d}-{key % 100:02d}" if name == "month" else key: count
                                          for key, count in zip(keys.tolist(), counts.tolist())})
            else:
                separator = "," if name in ("reporter", "correspondent") else None
                counters[name] = value_counts(searcher, FACETS[name], docnums, separator)
        return {name: tuple(sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))
                for name, counter in counters.items()}

    def similar(self, article_id: str, limit: int = 10) -> Results:
        """Articles most like the given one (its key terms, ranked), itself left out."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise KeyError(article_id)
        stored = searcher.stored_fields(docnum)
        text = stored.get("title", "") + "\n" + stored.get("body", "")
        terms = searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)
        likeness = wq.Or([wq.Term("body", term, boost=weight) for term, weight in terms])
        top, _ = ranked(searcher, likeness, limit + 1)
        marks = [term for term, _ in terms]
        hits = tuple(self._hit(searcher.stored_fields(number), score, marks)
                     for score, number in top if number != docnum)[:limit]
        return Results(len(hits), hits, " ".join(marks))

    @staticmethod
    def _hit(fields: dict, score: float, marks: list[str]) -> Hit:
        body = fields.get("body", "")
        spans = highlight_spans(body, marks)
        snippet = make_snippet(body, spans)
        return Hit(
            id=fields["id"],
            score=round(score, 4),
            title=" ".join(fields.get("title", "").split("\n")),
            paper=fields.get("paper"),
            date=_date(fields.get("date")),
            page=fields.get("page"),
            snippet=snippet.text,
            highlights=tuple(spans),
            snippet_start=snippet.start,
            lead=opening(body),
        )

    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or ``None``."""
        fields = self._searcher().document(id=article_id)
        if fields is None:
            return None
        fields = dict(fields)
        return Article(
            id=fields.pop("id"),
            title=tuple(line for line in fields.pop("title", "").split("\n") if line),
            body=fields.pop("body", ""),
            paper=fields.pop("paper", None),
            date=_date(fields.pop("date", None)),
            page=fields.pop("page", None),
            fields=fields,
        )

    def stats(self) -> dict:
        """Articles, papers, date range and size on disk."""
        searcher = self._searcher()
        reader = searcher.reader()
        papers = sorted(t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("paper"))
        date_field = self._ix.schema["date"]
        values = [date_field.from_bytes(t) for t in date_field.sortable_terms(reader, "date")]
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {
            "articles": reader.doc_count(),
            "papers": papers,
            "first_date": _iso(_date(min(values))) if values else None,
            "last_date": _iso(_date(max(values))) if values else None,
            "segments": len(self._ix._segments()),
            "size_bytes": size,
            "path": str(self.path),
        }

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


__all__ = ["Index", "Results", "Hit", "Article", "IndexNotFoundError", "IndexVersionError", "IndexDamagedError",
           "default_index_path"]
