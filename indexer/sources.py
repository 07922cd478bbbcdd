"""Input files: finding them, decoding them, turning them into articles.

Supported sources: JSON Lines (``.jsonl``, ``.jsonl.gz``; see
``indexer.records``) and newspaper page text (``.txt``; see ``indexer.issues``).
A folder stands for every supported file under it, in name order. Anything
that cannot be read becomes a ``Problem`` naming the file (and line) and why;
nothing is skipped silently.
"""

from __future__ import annotations

import codecs
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from indexer.records import Article, RecordError, article_from_record

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
_GZIP_MAGIC = b"\x1f\x8b"
PAGE_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class Problem:
    """Something in the input that was not indexed, and why."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


class SourceError(Exception):
    """A whole file cannot be read."""


def is_supported(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(JSONL_SUFFIXES) or name.endswith(PAGE_SUFFIXES)


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into supported files; report what cannot be used."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_supported(p))
            if not found:
                problems.append(Problem(str(path), "folder holds no .jsonl, .jsonl.gz or .txt file"))
            files.extend(found)
        elif path.is_file():
            if is_supported(path):
                files.append(path)
            else:
                problems.append(Problem(str(path), "not a .jsonl, .jsonl.gz or .txt file"))
        elif path.is_symlink():
            problems.append(Problem(str(path), "broken symbolic link"))
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return files, problems


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 (with BOM) or GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError("not UTF-8, UTF-16 or GB18030 text") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise SourceError("not UTF-8, UTF-16 or GB18030 text") from None
    if "\x00" in text:
        raise SourceError("binary file (contains NUL bytes)")
    return text


def _open(path: Path):
    """The file's bytes, decompressed if it is gzip, whatever its name says."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _cannot_read(error: Exception) -> SourceError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return SourceError(f"cannot read: {reason}")


def is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(JSONL_SUFFIXES)


def read_bytes(path: Path) -> bytes:
    """A whole file's bytes (``SourceError`` when it cannot be read)."""
    try:
        with _open(path) as handle:
            return handle.read()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise _cannot_read(error) from None


def read_records(path: Path) -> Iterator[Article | Problem]:
    """The articles of a JSON Lines file, and a ``Problem`` for each bad line.

    The file is streamed line by line: memory stays bounded whatever its size.
    """
    source = str(path)
    try:
        with _open(path) as handle:
            yield from _jsonl_articles(handle, source)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        yield Problem(source, str(_cannot_read(error)))
    except SourceError as error:
        yield Problem(source, str(error))


def _jsonl_lines(handle) -> Iterator[tuple[int, str | None]]:
    """``(number, text)`` per line; text ``None`` when the line cannot be decoded."""
    head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from enumerate(decode(handle.read()).splitlines(), 1)
        return
    for number, raw in enumerate(handle, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                yield number, raw.decode("gb18030")
            except UnicodeDecodeError:
                yield number, None


def _jsonl_articles(handle, source: str) -> Iterator[Article | Problem]:
    for number, line in _jsonl_lines(handle):
        if line is None:
            yield Problem(source, "not UTF-8, UTF-16 or GB18030 text", number)
            continue
        if not line.strip():
            continue
        try:
            yield article_from_record(json.loads(line), source)
        except json.JSONDecodeError as error:
            yield Problem(source, f"malformed JSON ({error.msg}, column {error.colno})", number)
        except RecordError as error:
            yield Problem(source, str(error), number)
        except RecursionError:
            yield Problem(source, "JSON nested too deeply", number)
