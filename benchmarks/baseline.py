"""The obvious alternative to zhsearch: stock Whoosh with jieba's ``ChineseAnalyzer``.

This is what the Whoosh and jieba documentation lead a user to build: one
schema (``id`` ID, ``title`` and ``body`` TEXT with
``jieba.analyse.ChineseAnalyzer()``), one writer in one process, a
``MultifieldParser`` over title and body (OR grouping, its best setting, or
AND grouping), BM25F, and Whoosh's default highlighter. ``quality.py`` and
``speed.py`` import it; it also runs on its own (``speed.py`` times these
commands as new processes)::

    .venv/bin/python benchmarks/baseline.py build [CORPUS] --index DIR [--articles N] [--update]
    .venv/bin/python benchmarks/baseline.py search QUERY --index DIR [--and]

CORPUS defaults to ``../shared/corpus/rmrb-2020-dev.jsonl.gz`` next to the
project. ``--update`` re-indexes into an existing index with
``update_document`` (stock Whoosh cannot tell which records changed, so it
rewrites every one).

The installed Whoosh is whoosh-reloaded 2.7.5: the same codebase as stock
Whoosh 2.7.4, which no longer imports on current Python (``WHOOSH_NOTE``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from pathlib import Path
from typing import Iterable, Iterator

import jieba
from jieba.analyse import ChineseAnalyzer
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup
from whoosh.query import Prefix

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "rmrb-2020-dev.jsonl.gz"
WHOOSH_NOTE = ("baseline = stock Whoosh + jieba 0.42.1 ChineseAnalyzer; the Whoosh installed is "
               "whoosh-reloaded 2.7.5, the same codebase as Whoosh 2.7.4 (which fails to import "
               "on current Python)")
GROUPS = {"or": OrGroup, "and": AndGroup}

jieba.setLogLevel(logging.WARNING)


def read_records(path: str | Path, limit: int | None = None) -> Iterator[dict]:
    """The JSON Lines records of ``path`` (``.jsonl`` or ``.jsonl.gz``), at most ``limit``."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            if line.strip():
                yield json.loads(line)


def title_lines(record: dict) -> list[str]:
    """A record's headline lines (``title`` may be a string or a list)."""
    title = record.get("title") or []
    return title.split("\n") if isinstance(title, str) else list(title)


def schema() -> Schema:
    analyzer = ChineseAnalyzer()
    return Schema(id=ID(stored=True, unique=True),
                  title=TEXT(analyzer=analyzer, stored=True),
                  body=TEXT(analyzer=analyzer, stored=True))


def build(path: str | Path, records: Iterable[dict], *, update: bool = False) -> int:
    """Index ``records`` at ``path`` with one writer and one commit; return their number.

    Without ``update`` a new index is created; with it, every record replaces
    the document with its id.
    """
    path = Path(path)
    if update:
        ix = whoosh_index.open_dir(path)
    else:
        path.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(path, schema())
    writer = ix.writer()
    add = writer.update_document if update else writer.add_document
    count = 0
    for record in records:
        add(id=record["id"], title="\n".join(title_lines(record)), body=record.get("body") or "")
        count += 1
    writer.commit()
    return count


class Baseline:
    """A searcher on a baseline index: parse, rank with BM25F, highlight the top hits."""

    def __init__(self, path: str | Path, group: str = "or"):
        self._ix = whoosh_index.open_dir(path)
        self._searcher = self._ix.searcher(weighting=scoring.BM25F())
        self._parser = MultifieldParser(["title", "body"], self._ix.schema, group=GROUPS[group])

    def search(self, q: str, limit: int | None = 10, highlight: int = 10,
               id_prefix: str | None = None, sort_by_id: bool = False) -> tuple[int, list[str]]:
        """``(total, ids)`` of query ``q``; the first ``highlight`` hits get ``highlights("body")``.

        ``id_prefix`` keeps only ids starting with it; ``sort_by_id`` orders
        by id, last first. (The baseline schema has no date field: on the
        dev corpus, ``rmrb-202003`` and id order stand in for a month filter
        and newest first.)
        """
        kwargs = {"filter": Prefix("id", id_prefix)} if id_prefix else {}
        if sort_by_id:
            kwargs.update(sortedby="id", reverse=True)
        results = self._searcher.search(self._parser.parse(q), limit=limit, **kwargs)
        for hit in results[:highlight]:
            hit.highlights("body")
        return len(results), [hit["id"] for hit in results]

    def highlights(self, q: str, limit: int = 10) -> list[tuple[str, str]]:
        """``(id, highlighted body fragment)`` of the top ``limit`` hits."""
        results = self._searcher.search(self._parser.parse(q), limit=limit)
        return [(hit["id"], hit.highlights("body")) for hit in results]

    def close(self) -> None:
        self._searcher.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="index a JSON Lines corpus")
    build_command.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    build_command.add_argument("--index", type=Path, required=True)
    build_command.add_argument("--articles", type=int, help="index only the first N records")
    build_command.add_argument("--update", action="store_true",
                               help="replace every record in an existing index")
    search_command = commands.add_parser("search", help="print the top 10 hits, highlighted")
    search_command.add_argument("query")
    search_command.add_argument("--index", type=Path, required=True)
    search_command.add_argument("--and", dest="group", action="store_const", const="and", default="or",
                                help="all words must match (default: any word)")
    args = parser.parse_args(argv)
    if args.command == "build":
        count = build(args.index, read_records(args.corpus, args.articles), update=args.update)
        print(f"{count} records indexed into {args.index}")
    else:
        for article_id, fragment in Baseline(args.index, args.group).highlights(args.query):
            print(article_id, fragment.replace("\n", " "))


if __name__ == "__main__":
    sys.exit(main())
