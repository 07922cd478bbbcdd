"""A second look at the best hits of a pasted text (a headline, a sentence).

A headline sums up its article: its words gather in one sentence of the
body, and in the opening lines. Ranked as a bag of words, a text finds the
articles that hold its words; this step reads the body of the best
``DEPTH`` of them and adds, on top of each score, the share of the text's
word weight (idf) found in the body's best sentence and in its first
``LEAD_CHARS`` characters, in units of the best score. An article holding
the whole text verbatim counts as holding it all in both.

Title MRR@10 on the dev title queries (``benchmarks/quality.py``'s sets,
seeds 2020/2021/2022): 0.826/0.779/0.802 -> 0.828/0.800/0.817; spans
0.951/0.964/0.951 -> 0.954/0.964/0.951. Reading 15, 30 or 50 hits again
ranks the same.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from indexer.normalize import fold_text
from query.snippets import SENTENCE_ENDS, needle_pattern

#: How many of the best hits are read again.
DEPTH = 15
#: Weight of the share of the text found in one sentence, and in the opening.
SENTENCE_WEIGHT, LEAD_WEIGHT = 0.5, 0.5
#: Characters of the (folded) body that make its opening.
LEAD_CHARS = 100
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]")


def reranked(top: list[tuple[float, int]], bodies, text: str, weights: dict[str, float]) -> list[tuple[float, int]]:
    """``top`` ((score, document number), best first) with its first
    ``DEPTH`` scored again: ``bodies(number)`` is a document's body, ``text``
    the pasted text, ``weights`` its words' idf."""
    total = sum(weights.values())
    if not top or not total:
        return top
    best = top[0][0]
    verbatim = needle_pattern(("".join(fold_text(text).split()),))
    again = []
    for score, number in top[:DEPTH]:
        body = fold_text(bodies(number))
        if verbatim is not None and verbatim.search(body):
            sentence = lead = total
        else:
            sentence, lead = _shares(body, weights)
        again.append((score + best * (SENTENCE_WEIGHT * sentence + LEAD_WEIGHT * lead) / total, number))
    again.sort(key=lambda hit: (-hit[0], hit[1]))
    return again + top[DEPTH:]


def _shares(body: str, weights: dict[str, float]) -> tuple[float, float]:
    """The weight of the words found in the body's best sentence, and in its opening."""
    ends = [match.start() for match in _SENTENCE_END.finditer(body)]
    in_sentence: dict[int, float] = {}
    lead = 0.0
    for word, weight in weights.items():
        at = body.find(word)
        if 0 <= at <= LEAD_CHARS - len(word):
            lead += weight
        seen = set()
        while at >= 0:
            sentence = bisect_right(ends, at)
            if sentence not in seen:
                seen.add(sentence)
                in_sentence[sentence] = in_sentence.get(sentence, 0.0) + weight
            at = body.find(word, at + 1)
    return max(in_sentence.values(), default=0.0), lead
