"""The query language: what users type, parsed into a small tree.

    拱墅 浙商银行            both words (AND), ranked
    "农业发展银行"           exactly this string (whitespace ignored)
    亚运 -电竞               exclude a word
    亚运 OR 奥运             either
    (亚运 OR 奥运) 场馆       grouping
    标题:亚运  title:亚运     in the headline only
    记者:林韬  reporter:林韬  作者:林韬   a reporter
    通讯员:王凯  correspondent:王凯
    报:人民日报  paper:人民日报
    版:1  page:1-4
    日期:2020-03  date:2020-03-01..2020-03-31  日期:2020年3月  date:2020..

Syntax is ASCII (``" ( ) - :``), plus ``＂`` and ``标题：亚运``. Chinese
punctuation is text: pasted ``他说：“好”（记者）`` searches for itself. A query the
parser cannot read raises ``QueryError`` with a message that says what to
type instead.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

#: Field names users may type, mapped to the field they mean.
FIELD_ALIASES = {
    "title": "title", "标题": "title", "题": "title",
    "reporter": "reporter", "记者": "reporter", "作者": "reporter", "author": "reporter",
    "correspondent": "correspondent", "通讯员": "correspondent",
    "paper": "paper", "报": "paper", "报纸": "paper", "报刊": "paper",
    "page": "page", "版": "page", "版面": "page",
    "date": "date", "日期": "date",
    "body": "body", "正文": "body",
}
#: Full-width syntax characters a Chinese input method types.
#: (Curly quotes, full-width brackets and colons stay text: pasted Chinese is full of them.)
_SYNTAX_WIDTH = str.maketrans({"＂": '"', "\u3000": " "})
_FIELD = re.compile(r"([A-Za-z]+|[\u4e00-\u9fff]+)([:：])(?!//)")
_DATE_PART = r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?"
_DATE = re.compile(rf"^{_DATE_PART}$")
_WORD = re.compile(r'[^\s()"]+')
_MAX_QUERY = 10_000


class QueryError(ValueError):
    """A query the parser cannot read; the message says how to fix it."""


@dataclass(frozen=True)
class Words:
    """Unquoted text: all its words must match (in ``field``, else title or body)."""
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Quoted text: must occur exactly (whitespace ignored)."""
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    """A metadata condition: ``field`` equals ``value`` or lies in ``[low, high]``."""
    field: str
    low: object
    high: object


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


def parse(text: str) -> object | None:
    """Parse a query; ``None`` when it holds nothing to search for."""
    if len(text) > _MAX_QUERY:
        raise QueryError(f"query too long ({len(text)} characters; at most {_MAX_QUERY})")
    tokens = _lex(text.translate(_SYNTAX_WIDTH))
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.peek() is not None:
        raise QueryError("unbalanced ')': remove it or add the matching '('")
    return node


def _lex(text: str) -> list[tuple[str, str]]:
    """Split into ``(kind, value)``: ``(`` ``)`` ``-`` ``or`` ``field`` ``quoted`` ``word``."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append((char, char))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError('unbalanced quote: close the phrase with " or remove the "')
            tokens.append(("quoted", text[i + 1:end]))
            i = end + 1
        elif char == "-" and i + 1 < len(text) and not text[i + 1].isspace() and (
                i == 0 or text[i - 1].isspace() or text[i - 1] == "("):
            tokens.append(("-", "-"))
            i += 1
        else:
            field = _FIELD.match(text, i)
            if field and (field.group(1).lower() in FIELD_ALIASES or field.group(2) == ":" and field.group(1).isascii()):
                tokens.append(("field", field.group(1)))
                i = field.end()
                continue
            match = _WORD.match(text, i)
            word = match.group()
            tokens.append(("or", word) if word in ("OR", "|") else
                          ("and", word) if word == "AND" else ("word", word))
            i = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.at = 0

    def peek(self):
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self):
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse_or(self):
        options = [self.parse_and()]
        while self.peek() == "or":
            self.take()
            options.append(self.parse_and())
        options = [o for o in options if o is not None]
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self):
        parts = []
        while self.peek() not in (None, ")", "or"):
            if self.peek() == "and":
                self.take()
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self):
        if self.peek() == "-":
            self.take()
            node = self.parse_primary()
            return Not(node) if node is not None else None
        return self.parse_primary()

    def parse_primary(self):
        kind, value = self.take()
        if kind == "(":
            node = self.parse_or()
            if self.peek() != ")":
                raise QueryError("unbalanced '(': add the matching ')' or remove the '('")
            self.take()
            return node
        if kind == ")":
            raise QueryError("unbalanced ')': remove it or add the matching '('")
        if kind == "field":
            return self.parse_field(value)
        if kind == "quoted":
            return Phrase(value) if value.strip() else None
        return Words(value)

    def parse_field(self, name):
        field = FIELD_ALIASES.get(name.lower())
        if field is None:
            known = ", ".join(sorted({k for k in FIELD_ALIASES if k.isascii()}))
            raise QueryError(f"unknown field '{name}:'; use one of {known} (or 标题 记者 通讯员 报 版 日期), "
                             f"or quote the text to search for it")
        if self.peek() in (None, ")", "or"):
            raise QueryError(f"'{name}:' needs a value, e.g. {name}:拱墅")
        kind, value = self.take()
        if kind == "(":
            raise QueryError(f"'{name}:' takes one value; repeat the field for each value")
        if kind == "-":
            raise QueryError(f"write -{name}:VALUE to exclude, not {name}:-VALUE")
        if field in ("title", "body"):
            return Phrase(value, field) if kind == "quoted" else Words(value, field)
        if field == "page":
            return Filter("page", *_page_range(value))
        if field == "date":
            return Filter("date", *date_range(value))
        if not value.strip():
            raise QueryError(f"'{name}:' needs a value")
        return Filter(field, value.strip(), value.strip())


def _page_range(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,4})(?:(?:-|\.\.)(\d{1,4}))?", value.strip())
    if not match:
        raise QueryError(f"page must be a number or a range like 1-4, not '{value}'")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low:
        raise QueryError(f"page range {value} runs backwards")
    return low, high


def date_range(value: str) -> tuple[int | None, int | None]:
    """``YYYYMMDD`` bounds of a date or range: ``2020``, ``2020-03``,
    ``2020-03-01..2020-03-31``, ``2020年3月``, ``2020-03..`` (open)."""
    text = value.strip()
    if ".." in text:
        first, _, last = text.partition("..")
        low = _date_bounds(first)[0] if first else None
        high = _date_bounds(last)[1] if last else None
        if low is None and high is None:
            raise QueryError("a date range needs at least one end, e.g. 2020-03-01..")
        if low is not None and high is not None and high < low:
            raise QueryError(f"date range {value} runs backwards")
        return low, high
    return _date_bounds(text)


def _date_bounds(text: str) -> tuple[int, int]:
    match = _DATE.match(text.strip())
    if not match:
        raise QueryError(f"cannot read the date '{text}'; write 2020, 2020-03, 2020-03-05 "
                         f"or a range 2020-03-01..2020-03-31")
    year, month, day = (int(g) if g else None for g in match.groups())
    if not 1 <= year <= 9999 or (month is not None and not 1 <= month <= 12):
        raise QueryError(f"no such date: '{text}'")
    if month is None:
        return year * 10000 + 101, year * 10000 + 1231
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last_day
    if not 1 <= day <= last_day:
        raise QueryError(f"no such date: '{text}'")
    number = year * 10000 + month * 100 + day
    return number, number


def with_filters(q: str, *, since: str | None = None, until: str | None = None,
                 paper: str | None = None, page: str | None = None,
                 reporter: str | None = None) -> str:
    """``q`` narrowed by metadata filters, written in the query language."""
    parts = [f"({q})"] if q.strip() else []
    if since or until:
        parts.append(f"date:{since or ''}..{until or ''}")
    for name, value in (("paper", paper), ("page", page), ("reporter", reporter)):
        if value:
            if '"' in value:
                raise QueryError(f"a {name} filter cannot contain a double quote")
            parts.append(f'{name}:"{value}"')
    return " ".join(parts)
