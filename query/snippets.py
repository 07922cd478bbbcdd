"""Highlights and snippets on the text as printed.

Needles (folded query words and phrases) are searched in the folded text,
whitespace allowed between their characters, and mapped back to the original
characters, so a match split by a line break or a stray space still lights up, and full-width
or traditional text lights up for a half-width or simplified query.
Touching matches merge into one span: ``浙商`` + ``银行`` is one highlight,
``浙商银行``. Snippets are whole sentences, cut at Chinese sentence ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.normalize import fold, original_span

#: Characters that end a Chinese (or Western) sentence; a line break does too.
SENTENCE_ENDS = "。！？；!?;\n"
#: Closing quotes and brackets after a sentence end still belong to its sentence.
CLOSERS = "”’」』)）"
#: Aim for snippets about this long (characters).
SNIPPET_CHARS = 120
#: Longest opening sentence shown in place of a missing headline.
LEAD_CHARS = 40
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}]*(?:[{SENTENCE_ENDS}]+[{CLOSERS}]*|$)")
#: Characters that carry a sentence on past a line break.
_RUNS_ON = set(SENTENCE_ENDS + CLOSERS)


@dataclass(frozen=True)
class Snippet:
    start: int
    end: int
    text: str


def highlight_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Sorted, merged ``(start, end)`` spans of ``text`` matching any needle."""
    if not text or not needles:
        return []
    pattern = needle_pattern(tuple(needles))
    if pattern is None:
        return []
    folded, offsets = fold(text)
    spans = []
    match = pattern.search(folded)
    while match:  # one match per starting character: needles may overlap
        spans.append(original_span(offsets, match.start(), match.end()))
        match = pattern.search(folded, match.start() + 1)
    return _merge(text, spans)


@lru_cache(maxsize=256)
def needle_pattern(needles: tuple[str, ...]) -> re.Pattern | None:
    """Any of the needles, whitespace allowed between their characters; at
    one place the longest needle wins (a shorter one that also matches there
    lies inside it). Needles holding whitespace match nothing."""
    kept = sorted({n for n in needles if n and not _SPACE.search(n)}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(r"\s*".join(map(re.escape, needle)) for needle in kept))


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or text[merged[-1][1]:start].isspace()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def sentences(text: str, start: int = 0):
    """``(start, end)`` of each sentence from ``start`` (a sentence start) on, ends included."""
    return ((m.start(), m.end()) for m in _SENTENCE.finditer(text, start) if m.end() > m.start())


def make_snippet(text: str, spans: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> Snippet:
    """The best run of whole sentences around the highlights: from the
    sentence holding the most of them whole (the first such; the opening if
    none). Only the sentences around the highlights are read (a law's text
    runs to 100,000 characters)."""
    counts: dict[tuple[int, int], int] = {}
    sentence = (0, 0)
    for start, end in sorted(spans):
        if start >= sentence[1]:
            sentence = _sentence_at(text, start, sentence[1])
        if end <= sentence[1]:
            counts[sentence] = counts.get(sentence, 0) + 1
    if counts:
        start, end = min(counts, key=lambda s: (-counts[s], s[0]))
    else:
        first = next(sentences(text), None)
        if first is None:
            return Snippet(0, 0, "")
        start, end = first
    for _, following in sentences(text, end):
        if following - start > size:
            break
        end = following
    if end - start > size * 3 // 2:
        start, end = _window(start, end, spans, size)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Snippet(start, end, text[start:end])


def _sentence_at(text: str, position: int, floor: int) -> tuple[int, int]:
    """The sentence holding ``position``, read from the nearest line start
    that begins a sentence, at or after ``floor`` (a sentence start)."""
    newline = text.rfind("\n", floor, position)
    while newline >= 0 and text[newline + 1] in _RUNS_ON:
        newline = text.rfind("\n", floor, newline)
    for start, end in sentences(text, newline + 1 if newline >= 0 else floor):
        if end > position:
            return start, end
    return len(text), len(text)  # past the text


def _window(start: int, end: int, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """Cut a long sentence down to ``size`` characters around its first highlight."""
    inside = [s for s, e in spans if s >= start and e <= end]
    begin = max(start, inside[0] - size // 3) if inside else start
    return begin, min(end, begin + size)


def opening(text: str, size: int = LEAD_CHARS) -> str:
    """The first sentence of ``text``, cut to ``size`` characters."""
    first = next(sentences(text), None)
    if first is None:
        return ""
    sentence = text[first[0]:first[1]].strip()
    return sentence if len(sentence) <= size else sentence[:size] + "…"
