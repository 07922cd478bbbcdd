"""Turn the text of a newspaper page, as extracted from its PDF, into article records.

Input looks like ``corpus/拱墅报/2022-12-15/01.txt``: every printed column line
is a line of its own (usually followed by a blank line), words and names
break across lines, the PDF justifier leaves stray spaces (``周伟 新``,
``2 0 2 3 年``), headlines stand after their body, before it, or not at all,
``（下转2版）`` ends an article that jumps to page 2, and ``详见 2版`` opens a
teaser box for an article printed on another page.

:func:`parse_page` returns one :class:`PageRecord` per article or teaser, in
page order.  It never raises and never loses text: every non-whitespace
character of the input lands in exactly one record's title, body or markers
(:func:`conserved` checks it).

Path convention (:func:`page_meta_from_path`): an archive stores one page per
file as ``…/PAPER/YYYY-MM-DD/NN.txt`` — the paper's name, the issue date and
the page number, e.g. ``拱墅报/2022-12-15/01.txt``.  Paths that do not follow
it give ``(None, None, None)``; nothing is guessed.

The parser works in four steps, each on plain typographic cues:

1. *lines* — each non-blank input line gets its printed width and whether it
   ends a sentence, jumps (``下转``), or opens a teaser box;
2. *layout* (:mod:`indexer.layout`, :mod:`indexer.leadins`,
   :mod:`indexer.articles`) — lines become body paragraphs or lone lines
   (headline candidates); paragraphs group into articles at bylines, jumps,
   sign-offs and changes of column width;
3. *headlines* (:mod:`indexer.headlines`) — each block of lone lines between
   two articles is shared between the article before (headline printed after
   its body), a teaser box, and the article after, by how well each line's
   characters recur in each body;
4. *records* — text is cleaned (:func:`clean_text`), jump markers move to
   ``markers`` and the byline gives agency, place, date and staff.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterable, Iterator

from indexer.bylines import JUMP_RE, jump_direction, read_byline, resolve_dateline
from indexer.headlines import Teaser, assign_headlines
from indexer.articles import Article, read_layout
from indexer.layout import LINE_BREAK_RE, Line, split_lines

__all__ = [
    "PageRecord",
    "clean_text",
    "clean_title",
    "conserved",
    "page_meta_from_path",
    "parse_page",
]

#: Spaces a typesetter puts on purpose (kept in bodies); plain spaces are the justifier's.
KEPT_SPACES = "\u00a0\u3000"
#: ASCII punctuation after which a Latin word is separated by a space.
LATIN_SENTENCE_PUNCT = ",.;:!?)"
#: Pages longer than this are parsed in chunks of this many characters (a real page has 5–40 thousand).
CHUNK_CHARS = 500_000
_SPACE_RUN_RE = re.compile(r"\s+")
_ISSUE_DIR_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PAGE_FILE_RE = re.compile(r"^(\d{1,3})\.txt$")


@dataclass
class PageRecord:
    """One article or teaser box of a page."""

    kind: str  # "article" | "teaser"
    title: list[str] = field(default_factory=list)
    body: str = ""
    markers: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    agency: str | None = None
    place: str | None = None
    dateline: str | None = None
    date: datetime.date | None = None
    continued_to: int | None = None
    continued_from: int | None = None
    see_page: int | None = None
    lines: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready dict (date as ``YYYY-MM-DD``, line ranges as lists)."""
        return {
            "kind": self.kind,
            "title": list(self.title),
            "body": self.body,
            "markers": list(self.markers),
            "reporters": list(self.reporters),
            "correspondents": list(self.correspondents),
            "agency": self.agency,
            "place": self.place,
            "dateline": self.dateline,
            "date": self.date.isoformat() if self.date else None,
            "continued_to": self.continued_to,
            "continued_from": self.continued_from,
            "see_page": self.see_page,
            "lines": [list(span) for span in self.lines],
        }


def parse_page(text: str, *, issue_date: datetime.date | None = None) -> list[PageRecord]:
    """Split one page of extracted text into article and teaser records, in page order.

    A printed page holds tens of thousands of characters.  Text beyond
    :data:`CHUNK_CHARS` is not a page but a dump of many: it is read in chunks
    of about that size, cut at line ends, so memory stays bounded; records
    never span two chunks.
    """
    if len(text) <= CHUNK_CHARS:
        return _parse_chunk(text, issue_date)
    records: list[PageRecord] = []
    line_offset = 0
    for chunk in _chunks(text, CHUNK_CHARS):
        for record in _parse_chunk(chunk, issue_date):
            record.lines = [(first + line_offset, last + line_offset) for first, last in record.lines]
            records.append(record)
        line_offset += len(LINE_BREAK_RE.findall(chunk))
    return records


def _chunks(text: str, limit: int) -> Iterator[str]:
    """``text`` in near-equal pieces of at most ``limit`` characters.

    Each piece ends at a line end near its end, or failing that after a
    sentence; only a single line longer than half a piece is cut blindly.
    """
    size = -(-len(text) // -(-len(text) // limit))
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = start + size // 2
            cut = max(text.rfind("\n", window, end), text.rfind("\r", window, end))
            if cut < 0:
                cut = max(text.rfind(stop, window, end) for stop in "。！？；")
            end = cut + 1 if cut >= 0 else end
            end += text.startswith("\r\n", end - 1)  # keep a CR LF pair together
        yield text[start:end]
        start = end


def _parse_chunk(text: str, issue_date: datetime.date | None) -> list[PageRecord]:
    lines = split_lines(text)
    if not lines:
        return []
    articles, gaps = read_layout(lines)
    placed = assign_headlines(articles, gaps, lines)
    records = [_article_record(article, lines, issue_date) for article in placed.articles]
    records += [_teaser_record(teaser, lines) for teaser in placed.teasers]
    records.sort(key=lambda record: record.lines[0][0] if record.lines else 0)
    return records


def conserved(text: str, records: Iterable[PageRecord]) -> bool:
    """Whether the records hold exactly the input's non-whitespace characters, in order.

    Titles, body and markers of each record are compared as one multiset per
    page: nothing dropped, nothing invented, nothing counted twice.
    """
    found: Counter[str] = Counter()
    for record in records:
        for piece in (*record.title, record.body, *record.markers):
            found.update(char for char in piece if not char.isspace())
    return found == Counter(char for char in text if not char.isspace())


def clean_text(lines: Iterable[str]) -> str:
    """Re-join the printed lines of one paragraph and drop the justifier's spaces.

    Hanzi join without a space; a Latin word broken across lines joins back;
    spaces between hanzi and inside digit runs (``周伟 新``, ``2 0 2 3 年``)
    go; a space between Latin words stays, and so do no-break and
    ideographic spaces, which typesetters put on purpose.
    """
    text = ""
    for line in lines:
        piece = _clean_line(line)
        if not piece:
            continue
        if text and text[-1] in LATIN_SENTENCE_PUNCT and _is_latin(piece[0]):
            text += " "
        text += piece
    return text


def clean_title(line: str) -> str:
    """A headline line as printed, with each run of spaces shown as one space."""
    return _SPACE_RUN_RE.sub(" ", line.strip())


def page_meta_from_path(path: str | PurePath) -> tuple[str | None, datetime.date | None, int | None]:
    """``(paper, issue date, page)`` from ``…/PAPER/YYYY-MM-DD/NN.txt``, else ``(None, None, None)``."""
    parts = PurePath(path).parts
    if len(parts) < 3:
        return None, None, None
    paper, issue, name = parts[-3:]
    date_match = _ISSUE_DIR_RE.match(issue)
    page_match = _PAGE_FILE_RE.match(name)
    if not (date_match and page_match and paper.strip()):
        return None, None, None
    try:
        date = datetime.date(*map(int, date_match.groups()))
    except ValueError:
        return None, None, None
    return paper, date, int(page_match.group(1))


# --- records -----------------------------------------------------------------


def _article_record(article: Article, lines: list[Line], issue_date: datetime.date | None) -> PageRecord:
    record = PageRecord(kind="article")
    record.title = [clean_title(lines[i].text) for i in article.titles]
    paragraphs = [clean_text(lines[i].text for i in paragraph) for paragraph in article.paragraphs]
    body = "\n".join(paragraph for paragraph in paragraphs if paragraph)
    record.body, record.markers, jumps = _take_jumps(body)
    record.continued_to = next((page for way, page in jumps if way == "to"), None)
    record.continued_from = next((page for way, page in jumps if way == "from"), None)
    if article.paragraphs:
        first = " ".join(lines[i].text for i in article.paragraphs[0])
        byline = read_byline(first)
        record.agency, record.place, record.dateline = byline.agency, byline.place, byline.dateline
        record.reporters, record.correspondents = byline.reporters, byline.correspondents
        record.date = resolve_dateline(record.dateline, issue_date)
    used = [*article.titles, *(i for paragraph in article.paragraphs for i in paragraph)]
    record.lines = _line_spans(used, lines)
    return record


def _teaser_record(teaser: Teaser, lines: list[Line]) -> PageRecord:
    opener = lines[teaser.opener]
    return PageRecord(
        kind="teaser",
        title=[clean_title(lines[i].text) for i in teaser.titles],
        markers=[clean_title(opener.text)],
        see_page=opener.teaser,
        lines=_line_spans([teaser.opener, *teaser.titles], lines),
    )


def _take_jumps(body: str) -> tuple[str, list[str], list[tuple[str, int]]]:
    """Move ``（下转2版）`` / ``（上接1版）`` out of a body into markers."""
    markers: list[str] = []
    jumps: list[tuple[str, int]] = []
    for match in JUMP_RE.finditer(body):
        markers.append(match.group())
        jumps.append((jump_direction(match.group("dir")), int(match.group("page"))))
    if not markers:
        return body, markers, jumps
    body = JUMP_RE.sub("", body)
    body = "\n".join(part for part in (p.strip(" ") for p in body.split("\n")) if part)
    return body, markers, jumps


def _line_spans(indices: Iterable[int], lines: list[Line]) -> list[tuple[int, int]]:
    """Merge the input line numbers of the given lines into ``[first, last]`` ranges.

    Lines that follow each other among the page's non-blank lines merge, so a
    blank line between two printed lines does not split a range.
    """
    spans: list[tuple[int, int]] = []
    previous = None
    for index in sorted(set(indices)):
        number = lines[index].number
        if previous is not None and index == previous + 1:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
        previous = index
    return spans


# --- text clean-up -------------------------------------------------------------


def _clean_line(line: str) -> str:
    def space(match: re.Match) -> str:
        kept = "".join(char for char in match.group() if char in KEPT_SPACES)
        if kept:
            return kept
        left = line[match.start() - 1] if match.start() else ""
        right = line[match.end()] if match.end() < len(line) else ""
        return " " if _is_word_gap(left, right) else ""

    return _SPACE_RUN_RE.sub(space, line.strip())


def _is_word_gap(left: str, right: str) -> bool:
    """Whether a space between two characters separates Latin words."""
    if not left or not right:
        return False
    if _is_latin(left):
        return _is_latin(right) or right.isascii() and right.isdigit()
    if left.isascii() and left.isdigit() or left in LATIN_SENTENCE_PUNCT:
        return _is_latin(right)
    return False


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()
