"""User dictionaries: extra words (names, places, terms) the segmenter keeps whole.

Format: a UTF-8 text file, one word a line; anything after the word on its
line (jieba's frequency and tag columns) and lines starting with ``#`` are
ignored. An index keeps a copy of the dictionary it was built with
(``userdict.txt``) and its fingerprint in ``zhsearch.json``: the same words
must segment queries and articles, so a different dictionary asks for a
rebuild instead of silently mismatching.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer import segment
from indexer.schema import IndexVersionError

INDEX_COPY = "userdict.txt"


class UserDictError(ValueError):
    """A user dictionary that cannot be used."""


def read_words(path: Path) -> tuple[str, ...]:
    """The words of a user dictionary file, in file order, without repeats."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UserDictError(f"cannot read the user dictionary {path}: {error}") from None
    words = [line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(dict.fromkeys(words))


def fingerprint(words: tuple[str, ...]) -> str | None:
    """A short hash of the word list (``None`` for no words)."""
    if not words:
        return None
    return hashlib.blake2b("\n".join(sorted(words)).encode("utf-8"), digest_size=8).hexdigest()


def install(index_dir: Path, words: tuple[str, ...]) -> None:
    """Keep ``words`` as the index's dictionary and segment with them."""
    (index_dir / INDEX_COPY).write_text("".join(w + "\n" for w in words), encoding="utf-8")
    segment.use_words(words)


def activate(index_dir: Path, meta: dict) -> None:
    """Segment with the dictionary the index at ``index_dir`` was built with."""
    expected = meta.get("userdict")
    try:
        words = read_words(index_dir / INDEX_COPY) if expected else ()
    except UserDictError:
        words = None
    if words is None or fingerprint(words) != expected:
        raise IndexVersionError(f"the user dictionary kept in {index_dir} does not match the index; rebuild "
                                f"with: zhsearch index --rebuild --userdict FILE --index {index_dir} SOURCE...")
    segment.use_words(words)


def check_same(index_dir: Path, meta: dict, words: tuple[str, ...]) -> None:
    """Raise ``IndexVersionError`` when ``words`` are not the index's dictionary."""
    if fingerprint(words) != meta.get("userdict"):
        raise IndexVersionError(
            f"the user dictionary differs from the one the index at {index_dir} was built with "
            f"(the same words must segment articles and queries); rebuild with: "
            f"zhsearch index --rebuild --userdict FILE --index {index_dir} SOURCE...")
