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

import datetime as dt
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import ScoredCollector
from whoosh.index import EmptyIndexError

from indexer import userdict
from indexer.schema import READ_ERRORS, IndexDamagedError, IndexVersionError, check_version, damaged
from query import pruning  # noqa: F401  (installs a fix to Whoosh's pruning of matchers)
from query.language import parse
from query.matching import can_relax, misspelled, needles, pinyin_letters, pinyin_query, to_whoosh
from query.pinyin import PinyinVocabulary
from query.scoring import BM25F
from query.snippets import highlight_spans, make_snippet, opening

#: Where the index lives when no path is given (``$ZHSEARCH_INDEX`` overrides).
DEFAULT_INDEX = Path.home() / ".local" / "share" / "zhsearch" / "index"
SORTS = {"relevance": None, "date": ("date", False), "-date": ("date", True)}
#: Facets ``search(facets=...)`` can count, and the column each one reads.
FACETS = {"reporter": "reporters", "correspondent": "correspondents", "paper": "paper",
          "page": "page", "month": "date"}
#: BM25F length normalisation and term saturation, tuned on the dev title
#: queries (``benchmarks/quality.py``): news articles vary a lot in length.
BM25_B, BM25_K1 = 0.5, 1.2
#: Where the pinyin vocabulary of an index is kept between runs.
PINYIN_CACHE = "zhsearch-pinyin.pickle"
#: Fewer hits than this make a hanzi query look for a "did you mean".
SUGGEST_BELOW = 3
#: Matches between two prunings of the matcher tree while ranking a page
#: (Whoosh's ``Matcher.replace``, which walks the whole tree; its default of
#: 10 made 8–16 character spans 1.6x slower on a one-segment dev index).
REPRUNE_EVERY = 100
#: Key terms ``similar()`` draws from an article.
SIMILAR_TERMS = 12


def _ranked(searcher, matcher, wanted: int | None, kwargs: dict):
    """Whoosh's ``searcher.search(matcher, limit=wanted, **kwargs)``, re-pruning
    the matcher tree every ``REPRUNE_EVERY`` matches."""
    collector = searcher.collector(limit=wanted, optimize=False, **kwargs)
    if isinstance(collector, ScoredCollector):
        collector.replace = REPRUNE_EVERY
    searcher.search_with_collector(matcher, collector)
    return collector.results()


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
    #: How many articles match; at least this many when ``total_exact`` is False.
    total: int
    hits: tuple[Hit, ...]
    query: str = ""
    #: ``{facet: ((value, count), ...)}``, most frequent first, for the facets asked for.
    facets: dict = field(default_factory=dict)
    #: The hanzi a pinyin query was read as (``gongshu`` → ``拱墅``).
    pinyin: str | None = None
    #: "Did you mean": the query with homophones that are far more frequent.
    suggestion: str | None = None
    #: Whether ``total`` counts every match (see ``Index.search``).
    total_exact: bool = True


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
               sort: str = "relevance", facets: tuple[str, ...] = (),
               exact_total: bool = False) -> Results:
        """Ranked matches of query ``q`` (see ``query.language``).

        ``limit=None`` returns every match; ``sort`` is ``relevance``,
        ``date`` or ``-date``; ``facets`` names facets to count over all
        matches (``reporter``, ``correspondent``, ``paper``, ``page``,
        ``month``). Raises ``QueryError`` for a query the parser cannot read;
        an empty query returns no hits.

        Ranking the top ``offset + limit`` skips documents that cannot reach
        them, so ``total`` may count only the matches seen (``total_exact``
        False); ``exact_total`` counts every match (one more pass over them).
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
            return self._search(tree, q, limit, offset, sort, facets, exact_total)
        except READ_ERRORS as error:
            raise damaged(self.path, error) from None

    def _search(self, tree, q, limit, offset, sort, facets, exact_total) -> Results:
        searcher = self._searcher()
        wanted = None if limit is None else offset + limit
        order = SORTS[sort]
        kwargs = {"sortedby": order[0], "reverse": order[1]} if order else {}
        matcher = to_whoosh(tree, reader=searcher.reader())
        marks = needles(tree)
        letters = pinyin_letters(tree)
        spelled = self._vocabulary(searcher).spell(letters) if letters else None
        if spelled:
            matcher = wq.Or([matcher, pinyin_query(spelled)])
            marks += [word for options in spelled for word in options]
        results = _ranked(searcher, matcher, wanted, kwargs)
        if results.is_empty() and can_relax(tree):
            matcher = to_whoosh(tree, relaxed=True, reader=searcher.reader())
            results = _ranked(searcher, matcher, wanted, kwargs)
        hits = tuple(self._hit(doc, marks) for doc in results[offset:wanted])
        counts = self._facets(searcher, results.docs() if limit is None else
                              searcher.docs_for_query(matcher), facets) if facets else {}
        suggestion = None
        if len(results) < SUGGEST_BELOW and not letters:
            suggestion = misspelled(tree, self._vocabulary(searcher))
        pinyin = " ".join(options[0] for options in spelled) if spelled else None
        total = len(results)
        # a ranked search that filled its page may have skipped matches (Whoosh prunes)
        exact = order is not None or wanted is None or total < wanted
        if exact_total and not exact:
            total, exact = sum(1 for _ in searcher.docs_for_query(matcher)), True
        return Results(total, hits, q, counts, pinyin, suggestion, exact)

    def _vocabulary(self, searcher) -> PinyinVocabulary:
        """The pinyin vocabulary of the index as this searcher sees it (built once per commit)."""
        generation = searcher.reader().generation()
        with self._vocabulary_lock:
            if self._pinyin is None or self._pinyin[0] != generation:
                vocabulary = PinyinVocabulary.cached(self.path / PINYIN_CACHE, generation, searcher.reader())
                self._pinyin = (generation, vocabulary)
            return self._pinyin[1]

    @staticmethod
    def _facets(searcher, docnums, names) -> dict:
        reader = searcher.reader()
        counters = {name: Counter() for name in names}
        columns = {name: reader.column_reader(FACETS[name]) for name in names}
        for docnum in docnums:
            for name, counter in counters.items():
                value = columns[name][docnum]
                if name in ("reporter", "correspondent"):
                    counter.update(v for v in value.split(",") if v)
                elif name == "month":
                    if value:
                        counter[f"{value // 10000:04d}-{value // 100 % 100:02d}"] += 1
                elif value not in ("", None, 0):
                    counter[value] += 1
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
        results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=SIMILAR_TERMS)
        terms = [term for term, _ in searcher.key_terms_from_text("body", text, numterms=SIMILAR_TERMS)]
        hits = tuple(self._hit(doc, terms) for doc in results)
        return Results(len(hits), hits, " ".join(terms))

    @staticmethod
    def _hit(doc, marks: list[str]) -> Hit:
        fields = doc.fields()
        body = fields.get("body", "")
        spans = highlight_spans(body, marks)
        snippet = make_snippet(body, spans)
        return Hit(
            id=fields["id"],
            score=round(float(doc.score or 0.0), 4),
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
