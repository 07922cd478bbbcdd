"""Page files of one issue: parse them, attach page metadata, join jumps.

Page metadata comes from the path convention ``…/PAPER/YYYY-MM-DD/NN.txt``
(``indexer.pages.page_meta_from_path``) or from explicit values
(``zhsearch index --paper --date --page``); it is never guessed. Pages in
the same folder are read together, so an article that jumps
(``（下转2版）``) and its continuation on that page (``（上接1版）``) become one
article: its headline, the first part's text, then the continuation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Iterator

from indexer.pages import PageRecord, page_meta_from_path, parse_page
from indexer.records import Article
from indexer.sources import Problem, SourceError, decode, read_bytes


@dataclass(frozen=True)
class PageMeta:
    paper: str | None = None
    date: dt.date | None = None
    page: int | None = None

    def merged(self, other: "PageMeta") -> "PageMeta":
        """These values, with ``other``'s filling the gaps."""
        return PageMeta(self.paper or other.paper, self.date or other.date,
                        self.page if self.page is not None else other.page)

    @property
    def complete(self) -> bool:
        return bool(self.paper and self.date and self.page is not None)


@dataclass
class _Page:
    path: Path
    meta: PageMeta
    records: list[PageRecord]


def page_articles(files: list[Path], given: PageMeta = PageMeta()) -> Iterator[Article | Problem]:
    """The articles of page files, issue folder by issue folder, jumps joined."""
    for _, group in groupby(sorted(files), key=lambda p: p.parent):
        pages = []
        for path in group:
            page = _read_page(path, given)
            if isinstance(page, Problem):
                yield page
            else:
                pages.append(page)
        yield from _join_jumps(pages)


def page_meta(path: Path, given: PageMeta = PageMeta()) -> PageMeta:
    """A page file's metadata: ``given`` values first, then its path."""
    return given.merged(PageMeta(*page_meta_from_path(path)))


def _read_page(path: Path, given: PageMeta) -> _Page | Problem:
    try:
        text = decode(read_bytes(path))
    except SourceError as error:
        return Problem(str(path), str(error))
    if not text.strip():
        return Problem(str(path), "empty page")
    meta = page_meta(path, given)
    return _Page(path, meta, parse_page(text, issue_date=meta.date))


def _join_jumps(pages: list[_Page]) -> Iterator[Article]:
    articles = {}
    for page in pages:
        for seq, record in enumerate(page.records, 1):
            if record.kind == "article":
                articles[(id(page), seq)] = (page, _article(page, seq, record))
    taken: set[tuple[int, int]] = set()
    for key, (page, article) in articles.items():
        if key in taken:
            continue
        if article.continued_to is not None:
            follow = _continuation(page, article, articles, taken)
            if follow is not None:
                taken.add(follow)
                article = _joined(article, articles[follow][1])
        yield article


def _continuation(page, article, articles, taken):
    """The key of the article that continues ``article`` on its jump page."""
    candidates = [key for key, (other, part) in articles.items()
                  if key not in taken and other is not page
                  and other.meta.paper == page.meta.paper and other.meta.date == page.meta.date
                  and other.meta.page == article.continued_to
                  and part.continued_from == page.meta.page]
    if not candidates:
        return None
    words = set(_bigrams("".join(article.title) + article.body))
    return max(candidates, key=lambda key: len(words & set(_bigrams(articles[key][1].body))))


def _bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)]


def _joined(first: Article, second: Article) -> Article:
    return replace(
        first,
        title=first.title or second.title,
        body=first.body + "\n" + second.body,
        reporters=tuple(dict.fromkeys(first.reporters + second.reporters)),
        correspondents=tuple(dict.fromkeys(first.correspondents + second.correspondents)),
        continued_to=second.continued_to,
    )


def _article(page: _Page, seq: int, record: PageRecord) -> Article:
    meta = page.meta
    if meta.complete:
        article_id = f"{meta.paper}-{meta.date:%Y%m%d}-{meta.page:02d}-{seq:02d}"
    else:
        digest = hashlib.blake2b(str(page.path).encode("utf-8", "surrogateescape"), digest_size=6)
        article_id = f"p{digest.hexdigest()}-{seq:02d}"
    return Article(
        id=article_id,
        body=record.body,
        title=tuple(record.title),
        paper=meta.paper,
        date=meta.date,
        page=meta.page,
        seq=seq,
        reporters=tuple(record.reporters),
        correspondents=tuple(record.correspondents),
        agency=record.agency,
        place=record.place,
        continued_to=record.continued_to,
        continued_from=record.continued_from,
        source=str(page.path),
    )
