"""Writing articles into a Whoosh index, incrementally and safely.

Each article is keyed by its ``id``; its ``digest`` (a hash of its content)
is kept in a column. Re-indexing skips an article whose digest is unchanged,
replaces one whose content changed, and removes the articles a re-read file
no longer holds. Work is committed in batches, so an interrupted run keeps
everything up to its last commit and a second run finishes the job.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.util.filelock import try_for

from indexer import userdict
from indexer.codec import BulkCodec
from indexer.parallel import ParallelWriter
from indexer.postings import SegmentWriter
from indexer.records import Article, RecordError, article_from_record
from indexer.schema import READ_ERRORS, article_schema, check_version, damaged, read_meta, write_meta
from indexer.issues import PageMeta, page_articles
from indexer.issues import page_meta as issue_page_meta
from indexer.sources import Problem, find_files, is_jsonl, read_records

#: Articles in a run's first commit. Later commits grow with the run: each
#: holds as many articles as the run has committed so far (at most
#: ``MAX_BATCHES`` first batches: each writer process holds its share of a
#: batch in memory, about 50 KB an article), so an interrupted run still
#: keeps at least half of its work; the run merges its segments
#: (``MERGE_LIMIT``).
BATCH_SIZE = 5000
MAX_BATCHES = 2
#: A commit merges the small segments (at most ``MERGE_DOCS`` articles) once
#: there are ``MERGE_COUNT`` of them (see ``merge_small_segments``).
MERGE_DOCS = 1000
MERGE_COUNT = 4
#: A run merges the segments it wrote into segments of up to this many
#: articles, and ``zhsearch optimize`` merges all: few segments make a
#: smaller index and faster searches. A merge sorts the character pairs of
#: all its articles at once (``indexer.gramsort``, about 7 bytes a
#: character), which bounds its size.
MERGE_LIMIT = 30_000
#: Memory Whoosh may use for its posting pool before it spills to disk.
WRITER_LIMIT_MB = 256
#: How every Whoosh writer of ours is made (see ``indexer.codec``).
WRITER_ARGS = {"limitmb": WRITER_LIMIT_MB, "codec": BulkCodec()}
#: How long a writer waits for another one to release the index.
LOCK_WAIT_SECONDS = 5.0


@dataclass
class Report:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    files: int = 0
    #: Changes (added, updated, deleted) safely committed so far.
    committed: int = 0
    #: The file whose bad records stopped the run (see ``index_paths``).
    stopped_at: str | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Things worth knowing that did not stop anything.
    notes: list[str] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.added + self.updated


def _document(article: Article) -> dict:
    title = "\n".join(article.title)
    doc = {
        "id": article.id,
        "digest": article.digest,
        # always a value: Whoosh cannot read a column some segments lack
        "source": article.source or "",
        "title": title,
        "body": article.body,
        "title_grams": title,
        "body_grams": article.body,
        "reporters": ",".join(article.reporters),
        "correspondents": ",".join(article.correspondents),
    }
    optional = {
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


def merge_small_segments(writer, segments: list) -> list:
    """The merge policy of every commit: once ``MERGE_COUNT`` segments of at
    most ``MERGE_DOCS`` articles each have piled up (small runs, deletions),
    merge them into the new one; leave larger segments to ``zhsearch
    optimize``. (Whoosh's policy merges ever larger segments as an index
    grows, a posting at a time: on a 227,000-article build one commit spent
    over ten minutes merging.) The segments kept, as Whoosh's policies return."""
    small = [segment for segment in segments if segment.doc_count() <= MERGE_DOCS]
    if len(small) < MERGE_COUNT:
        return segments
    return _merged(writer, segments, small)


def _merged(writer, segments: list, chosen: list) -> list:
    """Add the ``chosen`` segments to ``writer``; the rest of ``segments``."""
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    names = {segment.segment_id() for segment in chosen}
    return [segment for segment in segments if segment.segment_id() not in names]


def _release_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``;
    nothing elsewhere). A merge leaves about 160 MB of freed heap behind on
    the dev corpus, which the writer processes forked for the next batch
    would each hold too."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def merge_groups(segments: list, limit: int) -> list[list]:
    """``segments``, smallest first, in groups of at most ``limit`` articles
    together (a larger segment is a group of its own)."""
    groups: list[list] = []
    total = 0
    for segment in sorted(segments, key=lambda segment: segment.doc_count()):
        if not groups or total + segment.doc_count() > limit:
            groups.append([])
            total = 0
        groups[-1].append(segment)
        total += segment.doc_count()
    return groups


class IndexBusyError(Exception):
    """Another process is writing to the index."""


class IndexWriter:
    """Adds articles to the index at ``path`` (created if missing).

    Holds the index's write lock from start to close, waiting up to ``wait``
    seconds for another writer to finish (``IndexBusyError`` after that).
    The lock is the kernel's (``flock``): a killed writer leaves none behind.
    Use as a context manager: leaving the block commits what was added; an
    exception (Ctrl-C included) drops only the uncommitted batch.
    """

    def __init__(self, path: str | os.PathLike, *, rebuild: bool = False, procs: int = 1,
                 wait: float = LOCK_WAIT_SECONDS, batch_size: int = BATCH_SIZE,
                 user_words: tuple[str, ...] | None = None,
                 on_merge: Callable[[int], None] | None = None):
        self.path = Path(path)
        self.procs = procs
        #: Called with the number of articles before each merge of segments.
        self.on_merge = on_merge
        self.batch_size = batch_size
        self.report = Report()
        #: Files the last complete runs wrote whole: path -> [content digest, articles].
        self._file_digests: dict[str, list] = {}
        self.path.mkdir(parents=True, exist_ok=True)
        storage = FileStorage(str(self.path))
        self._lock = storage.lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")
        if not try_for(self._lock.acquire, timeout=wait, delay=0.1):
            raise IndexBusyError(f"another process is writing to the index at {self.path}; "
                                 f"waited {wait:g} s (try again when it has finished)")
        try:
            if rebuild or not whoosh_index.exists_in(self.path):
                words = user_words or ()
                self._index = storage.create_index(article_schema())
                userdict.install(self.path, words)
                write_meta(self.path, {"userdict": userdict.fingerprint(words)})
            else:
                meta = check_version(self.path)
                self._file_digests = dict(meta.get("files", {}))
                if user_words is not None:
                    userdict.check_same(self.path, meta, user_words)
                userdict.activate(self.path, meta)
                self._index = storage.open_index()
            #: The segments from before this run (``_merge_written`` leaves them).
            self._segments_before = {segment.segment_id() for segment in self._index._segments()}
            self._digests: dict[str, str] = {}
            self._source_of: dict[str, str] = {}
            self._ids_by_source: dict[str, set[str]] = {}
            self._read_columns()
        except READ_ERRORS as error:
            self._lock.release()
            raise damaged(self.path, error) from None
        except BaseException:
            self._lock.release()
            raise
        self._writer = None
        self._batch: set[str] = set()
        #: Files written whole this run: path -> content digest (``file_written``).
        self._done_files: dict[str, str] = {}

    def unchanged_file(self, source: str, digest: str) -> int | None:
        """The number of articles the index holds from ``source`` when the file
        had this ``digest`` when a complete run wrote it, and the index still
        holds all of its articles; else None (read the file)."""
        held = len(self._ids_by_source.get(source, ()))
        return held if self._file_digests.get(source) == [digest, held] else None

    def file_written(self, source: str, digest: str) -> None:
        """Every record of ``source`` (with this content digest) was added: once
        committed, a later run may skip the file while it keeps that digest."""
        self._done_files[source] = digest

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
            if self.procs > 1:
                self._writer = ParallelWriter(self._index, self.procs, WRITER_ARGS)
            else:
                self._writer = SegmentWriter(self._index, _lk=False, **WRITER_ARGS)
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
        if len(self._batch) >= self._batch_limit():
            self.commit()

    def _batch_limit(self) -> int:
        """How many articles the current batch may hold (see ``BATCH_SIZE``)."""
        return min(max(self.batch_size, self.report.committed), MAX_BATCHES * self.batch_size)

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
        """Commit the batch, then merge full groups of the segments this run wrote."""
        if self._writer is not None:
            self._writer.commit(mergetype=merge_small_segments)
        self._writer = None
        self._batch.clear()
        self.report.committed = self.report.indexed + self.report.deleted
        self._merge_written(everything=False)
        _release_memory()

    def _merge_written(self, everything: bool) -> None:
        """Merge the segments of fewer than ``MERGE_LIMIT`` articles this run
        wrote, in groups (``merge_groups``): all of them at the end of the run
        (``everything``), only the full groups before."""
        written = [segment for segment in self._index._segments()
                   if segment.segment_id() not in self._segments_before
                   and segment.doc_count() < MERGE_LIMIT]
        groups = merge_groups(written, MERGE_LIMIT)
        for group in groups if everything else groups[:-1]:
            if len(group) > 1:
                self._merge(group)

    def _merge(self, group: list) -> None:
        """Merge the segments of ``group`` into one, in a commit of their own."""
        if self.on_merge:
            self.on_merge(sum(segment.doc_count() for segment in group))
        SegmentWriter(self._index, _lk=False, **WRITER_ARGS).commit(
            mergetype=lambda writer, segments: _merged(writer, segments, group))

    def optimize(self) -> tuple[int, int]:
        """Commit, then merge the segments into as few as ``MERGE_LIMIT``
        allows, dropping deleted articles; the segment counts before and after."""
        self.commit()
        segments = self._index._segments()
        for group in merge_groups(segments, MERGE_LIMIT):
            if len(group) > 1 or group[0].has_deletions():
                self._merge(group)
        return len(segments), len(self._index._segments())

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._writer = None
        self._batch.clear()

    def __enter__(self) -> "IndexWriter":
        return self

    def close(self) -> None:
        """Commit what was added, merge the segments this run wrote, remember
        the files written whole, release the lock."""
        try:
            self.commit()
            self._merge_written(everything=True)
            if self._done_files:
                meta = read_meta(self.path)
                files = {**meta.get("files", {}), **{
                    source: [digest, len(self._ids_by_source.get(source, ()))]
                    for source, digest in self._done_files.items()}}
                write_meta(self.path, {**meta, "files": files})
        finally:
            self._lock.release()

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            try:
                self.cancel()
            finally:
                self._lock.release()


def add_articles(path: str | os.PathLike, records: Iterable[Mapping | Article]) -> Report:
    """Index an iterable of records (dicts as in ``indexer.records``) at ``path``.

    Raises ``RecordError`` (nothing from the call is committed) on a bad record.
    """
    articles = [r if isinstance(r, Article) else article_from_record(r) for r in records]
    with IndexWriter(path) as writer:
        for article in articles:
            writer.add(article)
    return writer.report


def optimize_index(path: str | os.PathLike, wait: float = LOCK_WAIT_SECONDS) -> tuple[int, int]:
    """Merge the segments of the existing index at ``path`` into one (searches
    read fewer files); the segment counts before and after."""
    if not whoosh_index.exists_in(Path(path)):
        raise FileNotFoundError(f"no index at {path}")
    with IndexWriter(path, wait=wait) as writer:
        return writer.optimize()


def index_paths(
    paths: Iterable[str | os.PathLike],
    index_path: str | os.PathLike,
    *,
    rebuild: bool = False,
    skip_bad: bool = False,
    procs: int = 1,
    wait: float = LOCK_WAIT_SECONDS,
    batch_size: int = BATCH_SIZE,
    user_words: tuple[str, ...] | None = None,
    page_meta: PageMeta = PageMeta(),
    on_article: Callable[[int], None] | None = None,
    on_merge: Callable[[int], None] | None = None,
) -> Report:
    """Index files and folders of JSON Lines and page text.

    Each JSON Lines file is checked before any of it is written: one with
    bad records stops the run before anything of it is committed
    (``report.stopped_at``); with ``skip_bad`` its good records are indexed
    and the bad ones listed. Unreadable files are skipped and listed. Page
    files take their paper, date and page from their path or ``page_meta``.
    ``procs`` > 1 writes with that many processes; ``user_words`` is the
    user dictionary (``indexer.userdict``) for a new index, or must match an
    existing index's. ``on_article`` is called with each count of articles
    read, ``on_merge`` with the articles of each merge of segments.
    """
    files, problems = find_files(Path(p) for p in paths)
    record_files = [f for f in files if is_jsonl(f)]
    page_files = [f for f in files if not is_jsonl(f)]
    with IndexWriter(index_path, rebuild=rebuild, procs=procs, wait=wait, batch_size=batch_size,
                     user_words=user_words, on_merge=on_merge) as writer:
        report = writer.report
        report.problems.extend(problems)
        for file in record_files:
            digest = file_digest(file)
            unchanged = writer.unchanged_file(str(file), digest) if digest else None
            if unchanged is not None:  # the same bytes as at the end of the last complete run
                report.unchanged += unchanged
                report.files += 1
                if on_article:
                    on_article(unchanged)
                continue
            bad = [item for item in read_records(file) if isinstance(item, Problem)]
            report.problems.extend(bad)
            if any(item.line for item in bad) and not skip_bad:
                report.stopped_at = str(file)
                return report
            if bad and not any(item.line for item in bad):
                continue
            _write_file(writer, [str(file)], read_records(file), on_article)
            if digest and not bad:
                writer.file_written(str(file), digest)
        if page_files:
            _write_file(writer, [str(f) for f in page_files], page_articles(page_files, page_meta), on_article)
            incomplete = sum(1 for f in page_files if not issue_page_meta(f, page_meta).complete)
            if incomplete:
                report.notes.append(f"{incomplete} page files without paper, date or page: name them "
                                    f"PAPER/YYYY-MM-DD/NN.txt or give --paper, --date and --page")
    return report


def file_digest(path: Path) -> str | None:
    """A hash of the file's bytes (None when it cannot be read)."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _write_file(writer: IndexWriter, sources: list[str], items, on_article) -> None:
    """Write the articles of ``items`` and drop what ``sources`` no longer hold."""
    kept: dict[str, set[str]] = {source: set() for source in sources}
    skipped = set()
    for item in items:
        if isinstance(item, Problem):
            writer.report.problems.append(item)
            skipped.add(item.source)
            continue
        writer.add(item)
        kept.setdefault(item.source or "", set()).add(item.id)
        if on_article:
            on_article(1)
    for source in sources:
        if source not in skipped:
            writer.remove_missing(source, kept[source])
            writer.report.files += 1
