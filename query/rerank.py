"""A second look at the best hits of a pasted text (a headline, a sentence).

Ranked as a bag of words, a text finds the articles that hold its words. A
headline sums up its article: its words gather in one sentence of the body
and in the opening lines, mostly in the headline's own order. This step
reads the text of the best ``DEPTH`` hits (headline lines, then body),
measures that (``Evidence``) and adds to each score the weighted evidence,
in units of the best score.

The weights were fitted (``benchmarks/rerank_fit.py``) on title and span
queries of 12,000 dev-corpus articles that ``benchmarks/quality.py`` does
not ask about. On quality.py's sets (seeds 2020/2021/2022), against the
sentence and opening shares alone (0.5 each): title MRR@10
0.828/0.800/0.817 -> 0.842/0.811/0.816; spans 0.954/0.964/0.951 ->
0.951/0.964/0.951 (one query, 做好保障和改善民: two reprints holding it
verbatim in their headline now rank above the article holding it in its
body, as the first pass had them).
The order of the text's characters (``Evidence.order``, ``.opening``)
carries most of the gain.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Callable, NamedTuple

from indexer.analysis import chars
from indexer.normalize import fold_text
from query.snippets import SENTENCE_ENDS

#: How many of the best hits are read again.
DEPTH = 15
#: Characters of the (folded, whitespace-free) body that make its lead, for
#: the words found there; and its opening, for the text's order.
LEAD_CHARS, OPENING_CHARS = 100, 200
#: The text's order is sought in the body's first sentences and in its best one.
OPENING_SENTENCES = 3
_SENTENCE_END = re.compile(f"(?<=[{SENTENCE_ENDS}])")


class Evidence(NamedTuple):
    """What a hit's text holds of the pasted text, each from 0 to 1."""

    #: Share of the text's word weight (idf) found in the body's best sentence.
    sentence: float
    #: Share of the text's word weight found in the lead.
    lead: float
    #: The most of the text's characters found in order (their longest
    #: common subsequence, gaps allowed) in one of the opening sentences or
    #: the best sentence, for the text's length.
    order: float
    #: The same in the opening characters.
    opening: float


#: An article that holds the whole text verbatim holds all of it, in order.
VERBATIM = Evidence(1.0, 1.0, 1.0, 1.0)


#: Weight of each kind of evidence, in units of the best score.
WEIGHTS = Evidence(sentence=0.21, lead=0.14, order=0.49, opening=0.30)


def reranked(top: list[tuple[float, int]], texts: Callable[[int], str], text: str,
             weights: dict[str, float]) -> list[tuple[float, int]]:
    """``top`` ((score, document number), best first) with its first
    ``DEPTH`` scored again: ``texts(number)`` is a document's text as read
    (headline lines, then body), ``text`` the pasted text, ``weights`` its
    words' idf."""
    if not top or not sum(weights.values()):
        return top
    best = top[0][0]
    again = []
    for score, number in top[:DEPTH]:
        found = evidence(texts(number), text, weights)
        again.append((score + best * sum(w * f for w, f in zip(WEIGHTS, found)), number))
    again.sort(key=lambda hit: (-hit[0], hit[1]))
    return again + top[DEPTH:]


def evidence(body: str, text: str, weights: dict[str, float]) -> Evidence:
    """What ``body`` holds of ``text``, whose words weigh ``weights`` (idf)."""
    compact = chars(text)
    folded = fold_text(body)
    whole = "".join(folded.split())
    if compact in whole:
        return VERBATIM
    sentences = [s for s in ("".join(s.split()) for s in _SENTENCE_END.split(folded)) if s] or [""]
    ends = list(accumulate(map(len, sentences)))  # where each sentence ends in ``whole``
    shares = [0.0] * len(sentences)
    lead = 0.0
    for word, weight in weights.items():
        at = whole.find(word)
        if 0 <= at <= LEAD_CHARS - len(word):
            lead += weight
        while at >= 0:  # once in each sentence that holds it
            sentence = bisect_right(ends, at)
            shares[sentence] += weight
            at = whole.find(word, ends[sentence])
    best = max(range(len(sentences)), key=shares.__getitem__)
    total = sum(weights.values()) or 1.0
    ordered = max(_common_subsequence(compact, sentences[k]) for k in {*range(OPENING_SENTENCES), best}
                  if k < len(sentences))
    return Evidence(
        sentence=shares[best] / total,
        lead=lead / total,
        order=ordered / (len(compact) or 1),
        opening=_common_subsequence(compact, whole[:OPENING_CHARS]) / (len(compact) or 1),
    )


def _common_subsequence(text: str, other: str) -> int:
    """Length of the longest common subsequence of ``text`` and ``other``
    (bit-parallel, Hyyrö 2004: one pass over ``other``)."""
    masks: dict[str, int] = {}
    for bit, char in enumerate(text):
        masks[char] = masks.get(char, 0) | 1 << bit
    full = (1 << len(text)) - 1
    row = full
    for char in other:
        mask = masks.get(char)
        if mask:
            matched = row & mask
            row = ((row + matched) | (row - matched)) & full
    return len(text) - row.bit_count()
