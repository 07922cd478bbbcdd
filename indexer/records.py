"""Article records: validation, stable ids and content digests.

A record is a mapping as other systems export it (one JSON object a line):
``body`` is required; ``title`` is a string or a list of headline lines;
``id``, ``paper``, ``date`` (``YYYY-MM-DD``), ``page``, ``seq``, ``url``,
``reporters``, ``correspondents``, ``agency``, ``place``, ``continued_to``,
``continued_from`` are optional. A record without ``id`` gets one derived from
its content, so indexing the same record twice never makes two articles. A
record without staff fields gets them from its byline, if its body opens with
one (``本报北京1月7日电（记者王伟健）``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from indexer.bylines import read_byline


#: How much of a body's opening is read for a byline.
BYLINE_CHARS = 200


class RecordError(ValueError):
    """A record that cannot be indexed; the message says why."""


@dataclass(frozen=True)
class Article:
    id: str
    body: str
    title: tuple[str, ...] = ()
    paper: str | None = None
    date: dt.date | None = None
    page: int | None = None
    seq: int | None = None
    url: str | None = None
    reporters: tuple[str, ...] = ()
    correspondents: tuple[str, ...] = ()
    agency: str | None = None
    place: str | None = None
    continued_to: int | None = None
    continued_from: int | None = None
    source: str | None = field(default=None, compare=False)

    @property
    def digest(self) -> str:
        """Hash of everything indexed about the article (not where it came from)."""
        data = asdict(self)
        data.pop("source")
        data["date"] = self.date.isoformat() if self.date else None
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.blake2b(blob.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def article_from_record(record: Mapping[str, Any], source: str | None = None) -> Article:
    """Validate one record and return its ``Article``; raise ``RecordError``."""
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    body = record.get("body")
    if not isinstance(body, str):
        raise RecordError("no 'body' string" if body is None else "'body' is not a string")
    title = _lines(record.get("title"), "title")
    values = {
        "body": body,
        "title": title,
        "paper": _text(record.get("paper"), "paper"),
        "date": _date(record.get("date")),
        "page": _int(record.get("page"), "page"),
        "seq": _int(record.get("seq"), "seq"),
        "url": _text(record.get("url"), "url"),
        "reporters": _lines(record.get("reporters"), "reporters", sep=","),
        "correspondents": _lines(record.get("correspondents"), "correspondents", sep=","),
        "agency": _text(record.get("agency"), "agency"),
        "place": _text(record.get("place"), "place"),
        "continued_to": _int(record.get("continued_to"), "continued_to"),
        "continued_from": _int(record.get("continued_from"), "continued_from"),
    }
    if not (values["reporters"] or values["correspondents"] or values["agency"]):
        byline = read_byline(body.split("\n", 1)[0][:BYLINE_CHARS])
        values.update(reporters=tuple(byline.reporters), correspondents=tuple(byline.correspondents),
                      agency=byline.agency, place=values["place"] or byline.place)
    _check_unicode({"id": record.get("id"), **values})
    record_id = _text(record.get("id"), "id") or content_id(values)
    return Article(id=record_id, source=source, **values)


def _check_unicode(values: Mapping[str, Any]) -> None:
    """``RecordError`` when a text holds a lone surrogate (JSON allows ``\\ud800``
    escapes that are no character): it could be neither indexed nor shown."""
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else (value,):
            if not isinstance(text, str):
                continue
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as error:
                raise RecordError(f"'{name}' holds a lone surrogate (U+{ord(text[error.start]):04X}) "
                                  f"at character {error.start}: not valid Unicode") from None


def content_id(values: Mapping[str, Any]) -> str:
    """A stable id from a record's identifying content."""
    key = [values.get("paper"), str(values.get("date")), values.get("page"),
           list(values.get("title") or ()), values.get("body")]
    blob = json.dumps(key, ensure_ascii=False)
    return "h" + hashlib.blake2b(blob.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"'{name}' is not a string")
    return value.strip() or None


def _lines(value: Any, name: str, sep: str = "\n") -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.replace("、", sep).split(sep) if sep == "," else value.split(sep)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"'{name}' is not a string or a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"'{name}' is not a whole number")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RecordError(f"'{name}' is not a whole number: {value!r}") from None
    if number < 0 or number >= 2**31:
        raise RecordError(f"'{name}' is out of range: {value!r}")
    return number


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(f"'date' is not YYYY-MM-DD: {value!r}") from None
