"""Highlights and snippets on the text as printed.

Needles (folded query words and phrases) are searched in the folded text with
whitespace squeezed out, then mapped back to the original characters, so a
match split by a line break or a stray space still lights up, and full-width
or traditional text lights up for a half-width or simplified query.
Touching matches merge into one span: ``浙商`` + ``银行`` is one highlight,
``浙商银行``. Snippets are whole sentences, cut at Chinese sentence ends.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from indexer.normalize import fold, fold_text, original_span

#: Characters that end a Chinese (or Western) sentence; a line break does too.
SENTENCE_ENDS = "。！？；!?;\n"
#: Aim for snippets about this long (characters).
SNIPPET_CHARS = 120
#: Longest opening sentence shown in place of a missing headline.
LEAD_CHARS = 40
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}]*(?:[{SENTENCE_ENDS}]+[”’」』)）]*|$)")


@dataclass(frozen=True)
class Snippet:
    start: int
    end: int
    text: str


def highlight_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Sorted, merged ``(start, end)`` spans of ``text`` matching any needle."""
    if not text or not needles:
        return []
    folded = fold_text(text)
    offsets = fold(text)[1] if len(folded) != len(text) else None
    squeezed, unsqueeze = _squeeze(folded)
    spans = []
    for needle in needles:
        at = squeezed.find(needle)
        while at >= 0:
            first, last = unsqueeze(at), unsqueeze(at + len(needle) - 1) + 1
            spans.append(original_span(offsets, first, last))
            at = squeezed.find(needle, at + 1)
    return _merge(text, sorted(spans))


def _squeeze(folded: str):
    """The text without whitespace, and a map from its indexes back to ``folded``."""
    starts: list[int] = []
    shifts: list[int] = []
    removed = 0
    for gap in _SPACE.finditer(folded):
        starts.append(gap.start() - removed)
        removed += gap.end() - gap.start()
        shifts.append(removed)

    def unsqueeze(index: int) -> int:
        before = bisect_right(starts, index)
        return index + (shifts[before - 1] if before else 0)

    return _SPACE.sub("", folded), unsqueeze


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or text[merged[-1][1]:start].isspace()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, ends included."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.end() > m.start()]


def make_snippet(text: str, spans: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> Snippet:
    """The best run of whole sentences around the highlights (the opening if none)."""
    parts = sentences(text)
    if not parts:
        return Snippet(0, 0, "")
    coverage = _coverage(parts, spans)
    best = max(range(len(parts)), key=lambda i: (coverage[i], -i))
    start, end = parts[best]
    following = best + 1
    while following < len(parts) and parts[following][1] - start <= size:
        end = parts[following][1]
        following += 1
    if end - start > size * 3 // 2:
        start, end = _window(start, end, spans, size)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Snippet(start, end, text[start:end])


def _coverage(parts: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[int]:
    """How many spans lie wholly inside each of the sorted, disjoint ``parts``."""
    counts = [0] * len(parts)
    starts = [start for start, _ in parts]
    for start, end in spans:
        at = bisect_right(starts, start) - 1
        if at >= 0 and end <= parts[at][1]:
            counts[at] += 1
    return counts


def _window(start: int, end: int, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """Cut a long sentence down to ``size`` characters around its first highlight."""
    inside = [s for s, e in spans if s >= start and e <= end]
    begin = max(start, inside[0] - size // 3) if inside else start
    return begin, min(end, begin + size)


def opening(text: str, size: int = LEAD_CHARS) -> str:
    """The first sentence of ``text``, cut to ``size`` characters."""
    parts = sentences(text)
    if not parts:
        return ""
    sentence = text[parts[0][0]:parts[0][1]].strip()
    return sentence if len(sentence) <= size else sentence[:size] + "…"
