"""Writing articles into a Whoosh index, incrementally and safely.

Each article is keyed by its ``id``; its ``digest`` (a hash of its content)
is kept in a column. Re-indexing skips an article whose digest is unchanged,
replaces one whose content changed, and removes the articles a re-read file
no longer holds. Work is committed in batches, so an interrupted run keeps
everything up to its last commit and a second run finishes the job.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from whoosh import index as whoosh_index

from indexer.records import Article, RecordError, article_from_record
from indexer.schema import article_schema, check_version, write_meta
from indexer.sources import Problem, find_files, read_source

#: Articles written between two commits.
BATCH_SIZE = 5000
#: Memory Whoosh may use for its posting pool before it spills to disk.
WRITER_LIMIT_MB = 256


@dataclass
class Report:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.added + self.updated


def _document(article: Article) -> dict:
    title = "\n".join(article.title)
    doc = {
        "id": article.id,
        "digest": article.digest,
        "title": title,
        "body": article.body,
        "title_chars": title,
        "body_chars": article.body,
        "reporters": ",".join(article.reporters),
        "correspondents": ",".join(article.correspondents),
    }
    optional = {
        "source": article.source,
        "paper": article.paper,
        "date": _date_number(article.date),
        "page": article.page,
        "seq": article.seq,
        "agency": article.agency,
        "place": article.place,
        "url": article.url,
        "continued_to": article.continued_to,
        "continued_from": article.continued_from,
    }
    doc.update((key, value) for key, value in optional.items() if value is not None)
    return doc


def _date_number(date: dt.date | None) -> int | None:
    return date.year * 10000 + date.month * 100 + date.day if date else None


class IndexWriter:
    """Adds articles to the index at ``path`` (created if missing).

    Use as a context manager; leaving the block commits what was added.
    """

    def __init__(self, path: str | os.PathLike, *, rebuild: bool = False, procs: int = 1):
        self.path = Path(path)
        self.procs = procs
        self.report = Report()
        if rebuild or not whoosh_index.exists_in(self.path):
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = whoosh_index.create_in(self.path, article_schema())
            write_meta(self.path)
        else:
            check_version(self.path)
            self._index = whoosh_index.open_dir(self.path)
        self._digests: dict[str, str] = {}
        self._source_of: dict[str, str] = {}
        self._ids_by_source: dict[str, set[str]] = {}
        self._read_columns()
        self._writer = None
        self._batch: set[str] = set()

    def _read_columns(self) -> None:
        """Load every article's id, digest and source from the index columns."""
        with self._index.reader() as reader:
            if reader.doc_count() == 0:
                return
            ids, digests, sources = (reader.column_reader(name) for name in ("id", "digest", "source"))
            for number in reader.all_doc_ids():
                self._digests[ids[number]] = digests[number]
                self._move(ids[number], sources[number])

    def _move(self, article_id: str, source: str) -> None:
        old = self._source_of.get(article_id)
        if old is not None:
            self._ids_by_source[old].discard(article_id)
        self._source_of[article_id] = source
        self._ids_by_source.setdefault(source, set()).add(article_id)

    def _open_writer(self):
        if self._writer is None:
            extra = {"procs": self.procs, "multisegment": True} if self.procs > 1 else {}
            self._writer = self._index.writer(limitmb=WRITER_LIMIT_MB, **extra)
        return self._writer

    def add(self, article: Article) -> None:
        """Add or replace one article (no-op when its content is unchanged)."""
        digest = article.digest
        source = article.source or ""
        old = self._digests.get(article.id)
        if old == digest and self._source_of.get(article.id) == source:
            self.report.unchanged += 1
            return
        if article.id in self._batch:
            # Whoosh's update cannot see documents added since the last
            # commit: commit first, so the id never appears twice.
            self.commit()
        writer = self._open_writer()
        if old is None:
            writer.add_document(**_document(article))
            self.report.added += 1
        else:
            writer.update_document(**_document(article))
            self.report.updated += 1
        self._digests[article.id] = digest
        self._move(article.id, source)
        self._batch.add(article.id)
        if len(self._batch) >= BATCH_SIZE:
            self.commit()

    def remove_missing(self, source: str, keep: set[str]) -> None:
        """Delete the articles that came from ``source`` whose ids are not in ``keep``."""
        stale = self._ids_by_source.get(source, set()) - keep
        if not stale:
            return
        writer = self._open_writer()
        for article_id in stale:
            writer.delete_by_term("id", article_id)
            self._digests.pop(article_id, None)
            self._source_of.pop(article_id, None)
        self._ids_by_source[source] -= stale
        self.report.deleted += len(stale)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
        self._writer = None
        self._batch.clear()

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._writer = None
        self._batch.clear()

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None or issubclass(kind, KeyboardInterrupt):
            self.commit()
        else:
            self.cancel()


def add_articles(path: str | os.PathLike, records: Iterable[Mapping | Article]) -> Report:
    """Index an iterable of records (dicts as in ``indexer.records``) at ``path``.

    Raises ``RecordError`` (nothing from the call is committed) on a bad record.
    """
    articles = [r if isinstance(r, Article) else article_from_record(r) for r in records]
    with IndexWriter(path) as writer:
        for article in articles:
            writer.add(article)
    return writer.report


def index_paths(
    paths: Iterable[str | os.PathLike],
    index_path: str | os.PathLike,
    *,
    rebuild: bool = False,
    skip_bad: bool = False,
    procs: int = 1,
    on_article: Callable[[int], None] | None = None,
) -> Report:
    """Index files and folders of JSON Lines and page text.

    A file with a bad record is left out whole (``skip_bad`` indexes its
    good records); every problem is listed in the report. ``procs`` > 1
    writes with that many processes (one new segment each per commit).
    """
    files, problems = find_files(Path(p) for p in paths)
    with IndexWriter(index_path, rebuild=rebuild, procs=procs) as writer:
        writer.report.problems.extend(problems)
        for file in files:
            items = list(read_source(file))
            bad = [item for item in items if isinstance(item, Problem)]
            writer.report.problems.extend(bad)
            if bad and not skip_bad and any(item.line for item in bad):
                writer.report.problems.append(
                    Problem(str(file), "not indexed: fix the lines above or use --skip-bad"))
                continue
            articles = [item for item in items if isinstance(item, Article)]
            for article in articles:
                writer.add(article)
                if on_article:
                    on_article(1)
            writer.remove_missing(str(file), {a.id for a in articles})
            writer.report.files += 1
    return writer.report
