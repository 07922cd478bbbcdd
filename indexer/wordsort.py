"""A segment's word postings (term frequencies), sorted with numpy in one pass.

The word fields (``title``, ``body``) hold each word of a text with its count
(``indexer.formats.BulkFrequency``): some four hundred postings an article.
``WordPostings`` numbers each new word as it comes and keeps, per posting,
the word's number and its count in machine arrays; when the segment is
written the words are ranked in term order once and a stable sort by rank
puts each term's postings in document order, ready for
``indexer.postblocks.finished_terms``.
"""

from __future__ import annotations

from array import array

import numpy as np

from indexer.postblocks import Postings, finished_terms, length_bytes

#: Postings laid out at a time, about (memory: some hundred bytes each).
_PART = 1 << 18


class WordPostings:
    """One word field's documents, as (word number, count) pairs."""

    def __init__(self):
        self._numbers: dict[str, int] = {}
        self._words = array("I")
        self._counts = array("I")
        self._docnums = array("I")
        self._lengths = array("I")
        self._sizes = array("I")

    @property
    def size(self) -> int:
        """Bytes held, about."""
        return 8 * len(self._words) + 100 * len(self._numbers)

    def add(self, docnum: int, counts: dict[str, int]) -> int:
        """Add a document's word counts; the field length (their sum)."""
        numbers = self._numbers
        found = [numbers.setdefault(word, len(numbers)) for word in counts]
        self._words.extend(found)
        self._counts.extend(counts.values())
        total = sum(counts.values())
        self._docnums.append(docnum)
        self._lengths.append(total)
        self._sizes.append(len(found))
        return total

    def terms(self, fieldname: str, boost: float, blocking: tuple[int, int], entries: bool = True):
        """The field's terms in order, as ``indexer.postblocks.finished_terms`` gives them."""
        if not self._words:
            return
        vocabulary = sorted(self._numbers)
        rank = np.empty(len(vocabulary), dtype=np.int64)
        rank[np.fromiter((self._numbers[word] for word in vocabulary), dtype=np.int64,
                         count=len(vocabulary))] = np.arange(len(vocabulary))
        ranks = rank[np.frombuffer(self._words, dtype=np.uint32)]
        order = np.argsort(ranks, kind="stable")
        ranks = ranks[order]
        doc = np.repeat(np.arange(len(self._docnums)), np.frombuffer(self._sizes, dtype=np.uint32))[order]
        counts = np.frombuffer(self._counts, dtype=np.uint32)[order]
        first = np.flatnonzero(np.append(True, ranks[1:] != ranks[:-1]))
        docs = np.frombuffer(self._docnums, dtype=np.uint32).astype(np.int64)[doc]
        doc_bytes = length_bytes(np.frombuffer(self._lengths, dtype=np.uint32).astype(np.int64))[doc]
        term = 0
        while term < len(first):  # about _PART postings at a time, whole terms
            end = max(term + 1, int(np.searchsorted(first, first[term] + _PART)))
            a, b = first[term], first[end] if end < len(first) else len(ranks)
            postings = Postings(
                docs=docs[a:b], weights=(counts[a:b] * boost).astype(np.float32),
                value_lengths=np.full(b - a, 4, dtype=np.int64),
                value_starts=np.arange(0, 4 * (b - a), 4, dtype=np.int64),
                values=counts[a:b].astype(">u4").view(np.uint8),  # Frequency's value: the count
                first=first[term:end] - a, length_bytes=doc_bytes[a:b], fixed_size=True)
            texts = [vocabulary[r].encode("utf-8") for r in ranks[first[term:end]].tolist()]
            yield from finished_terms(fieldname, texts, postings, entries, blocking)
            term = end
