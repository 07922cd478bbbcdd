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
        postings = Postings(
            docs=np.frombuffer(self._docnums, dtype=np.uint32).astype(np.int64)[doc],
            weights=(counts * boost).astype(np.float32),
            value_lengths=np.full(len(counts), 4, dtype=np.int64),
            value_starts=np.arange(0, 4 * len(counts), 4, dtype=np.int64),
            values=counts.astype(">u4").view(np.uint8),  # Frequency's value: the count, big-endian
            first=first,
            length_bytes=length_bytes(np.frombuffer(self._lengths, dtype=np.uint32).astype(np.int64))[doc],
            fixed_size=True)
        texts = [vocabulary[r].encode("utf-8") for r in ranks[first].tolist()]
        yield from finished_terms(fieldname, texts, postings, entries, blocking)
