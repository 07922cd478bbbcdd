"""Character folding for matching: width, case and traditional/simplified forms.

``fold(text)`` returns the text every index and query path matches on, plus a
map from each folded character back to the original text, so highlights and
token offsets always land on the text as printed (Lucene's CharFilter offset
correction, done with a list).

Each letter or digit is folded on its own, the same way at index and query
time: NFKC (full width ``ＡＢＣ１２３`` → ``ABC123``), lower case, then OpenCC's
traditional → simplified table (``報紙`` → ``报纸``). Punctuation, symbols and
spaces stay as printed. Folding a character never deletes it; it may expand
(``⑩`` → ``10``, ``ﬁ`` → ``fi``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Bump when folding changes: every index built with the old folding must be rebuilt.
FOLD_VERSION = 2
#: Unicode categories left as printed: punctuation, symbols and spaces. A
#: quoted ``"（下转"`` must not find ``(下转``: exact phrases stay exact, and
#: words never contain these characters anyway.
KEPT_CATEGORIES = "PSZ"


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # loaded on first use: keeps ``zhsearch --help`` fast

    return opencc.OpenCC("t2s")


class _FoldTable(dict):
    """``str.translate`` table that computes and caches each character's fold."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if unicodedata.category(char)[0] in KEPT_CATEGORIES:
            self[codepoint] = char
            return char
        folded = unicodedata.normalize("NFKC", char).lower() or char
        if any("\u3400" <= c <= "\u9fff" or "\U00020000" <= c for c in folded):
            folded = _t2s().convert(folded) or folded
        self[codepoint] = folded
        return folded


_TABLE = _FoldTable()
#: Runs of characters not known to fold to themselves (most text is made of
#: such characters): only these runs are translated. Rebuilt as the table grows.
_changing = re.compile(r"[\s\S]+")
_changing_size = 0


def fold_text(text: str) -> str:
    """The folded text alone (no offset map), for callers that need no offsets."""
    folded = _changing.sub(_translate, text)
    if len(_TABLE) >= _changing_size + max(64, _changing_size // 16):
        _learn_unchanged()
    return folded


def _translate(match: re.Match) -> str:
    return match.group().translate(_TABLE)


def _learn_unchanged() -> None:
    global _changing, _changing_size
    same = "".join(sorted(chr(code) for code, folded in list(_TABLE.items()) if folded == chr(code)))
    _changing_size = len(_TABLE)
    _changing = re.compile(f"[^{re.escape(same)}]+")


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text``; return the folded text and its offset map.

    The map is ``None`` when every character folded to exactly one character
    (then folded offsets are original offsets). Otherwise ``map[i]`` is the
    original index of folded character ``i``, with one extra entry for the end.
    """
    folded = fold_text(text)
    if len(folded) == len(text):
        return folded, None
    offsets: list[int] = []
    done = 0
    for run in _changing.finditer(text):  # characters outside these runs fold to themselves
        offsets.extend(range(done, run.start()))
        for index in range(run.start(), run.end()):
            offsets.extend([index] * len(_TABLE[ord(text[index])]))
        done = run.end()
    offsets.extend(range(done, len(text)))
    offsets.append(len(text))
    return folded, offsets


def original_span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of folded text back to the original text."""
    if offsets is None:
        return start, end
    first = offsets[start]
    last = offsets[end - 1] + 1 if end > start else first
    return first, last
