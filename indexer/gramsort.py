"""A segment's character-pair postings, computed with numpy in one pass.

The ``*_grams`` fields hold every pair of neighbouring characters of a text
with its positions (``indexer.analysis.GramTokenizer``): about a thousand
postings an article, far too many to build one at a time in Python.
``GramPostings`` keeps each document's characters (4 bytes each) and, when
the segment is written, computes every posting at once: a pair's key is its
two code points, ordered as the UTF-8 term texts are; a stable sort by key
puts each term's postings in document and position order; the posting
values (position deltas, as ``indexer.formats.BulkPositions`` encodes them)
are assembled in bulk. The sort runs over one key range at a time, so
memory stays at a few bytes per character.
"""

from __future__ import annotations


import numpy as np

from indexer.postblocks import Postings, finished_terms, length_bytes, scatter

#: Bits of a key that hold the second character (plus one; 0 for the last
#: character standing alone, which sorts before every pair it starts).
_SHIFT = 22
_SECOND = (1 << _SHIFT) - 1
#: Keys sorted at a time, about.
_PART = 1 << 18


class GramPostings:
    """One gram field's documents, as code points."""

    def __init__(self):
        self._docnums: list[int] = []
        self._codes: list[np.ndarray] = []
        self.size = 0

    def add(self, docnum: int, chars: str) -> int:
        """Add a document's folded, space-free text; its number of postings'
        positions (the field length)."""
        if chars:
            self._docnums.append(docnum)
            self._codes.append(np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype="<u4"))
            self.size += 4 * len(chars)
        return len(chars)

    def terms(self, fieldname: str, boost: float, blocking: tuple[int, int], entries: bool = True):
        """``(field, term bytes, docs, weights, values, value lengths)`` for
        each term in order (``indexer.postings.TermPool.terms``). With
        ``entries``, finished terms instead: ``(field, term bytes, term
        entry)`` for terms whose postings go in their entry, ``(field, term
        bytes, entry header, posting blocks)`` for the others, cut in blocks
        of ``blocking`` = (postings per block, zlib level)."""
        if not self._codes:
            return
        codes, starts = self._joined()
        docnums = np.array(self._docnums, dtype=np.int64)
        doc_length_bytes = length_bytes(np.diff(starts))
        last = np.zeros(len(codes), dtype=bool)  # whether a character ends its text
        last[starts[1:] - 1] = True
        bounds = _bounds(codes)
        part = np.empty(len(codes), dtype=np.uint16)  # the range of each pair's first character
        for at in range(0, len(codes), _PART):  # a piece at a time: no copies of the whole
            part[at:at + _PART] = np.searchsorted(bounds, codes[at:at + _PART], side="right")
        for number in range(len(bounds) + 1):
            inside = np.flatnonzero(part == number)
            if len(inside):
                yield from _part_terms(fieldname, boost, _keys(codes, last, inside), inside, starts,
                                       docnums, doc_length_bytes, entries, blocking)

    def _joined(self) -> tuple[np.ndarray, np.ndarray]:
        """All documents' code points in one array, and where each document starts."""
        lengths = np.array([len(codes) for codes in self._codes], dtype=np.int64)
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        codes = np.concatenate(self._codes)
        self._codes = []
        return codes, starts


def _keys(codes: np.ndarray, last: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """The key of the pair at each position of ``inside``: the first character's
    code point, then the second's plus one (0 for a text's last character)."""
    keys = codes[inside].astype(np.uint64) << np.uint64(_SHIFT)
    second = codes[np.minimum(inside + 1, len(codes) - 1)].astype(np.uint64) + np.uint64(1)
    second[last[inside]] = 0
    keys |= second
    return keys


def _bounds(codes: np.ndarray) -> np.ndarray:
    """Code points that cut ``codes`` into ranges of about ``_PART`` each (one
    code point may make a larger range): range ``n`` holds the codes from
    ``bounds[n - 1]`` up to, not including, ``bounds[n]``. Pairs sort by their
    first character first, so the ranges are ranges of keys too."""
    parts = max(1, len(codes) // _PART)
    if parts == 1:
        return np.zeros(0, dtype=codes.dtype)
    sample = np.sort(codes[::max(1, len(codes) // (parts * 64))])
    return np.unique(sample[np.linspace(0, len(sample) - 1, parts + 1).astype(np.int64)[1:-1]])


def _part_terms(fieldname, boost, keys, inside, starts, docnums, doc_length_bytes, entries, blocking):
    order = np.argsort(keys, kind="stable")
    inside = inside[order]
    sorted_keys = keys[order]
    doc = np.searchsorted(starts, inside, side="right") - 1
    positions = inside - starts[doc]
    count = len(inside)
    new = np.ones(count, dtype=bool)
    new[1:] = (sorted_keys[1:] != sorted_keys[:-1]) | (doc[1:] != doc[:-1])
    post = np.flatnonzero(new)
    freq = np.diff(np.append(post, count))
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    deltas[post] = positions[post]
    wide = np.maximum.reduceat(deltas, post) >= 65536
    width = np.where(wide, 4, 2)
    value_lengths = 1 + freq * width
    value_starts = np.cumsum(value_lengths) - value_lengths
    values = np.empty(int(value_lengths.sum()), dtype=np.uint8)
    values[value_starts] = np.where(wide, ord("I"), ord("H"))
    owner = np.cumsum(new) - 1
    offsets = value_starts[owner] + 1 + (np.arange(count) - post[owner]) * width[owner]
    for kind, size in ((np.uint16, 2), (np.uint32, 4)):
        chosen = wide[owner] == (size == 4)
        if chosen.any():
            scatter(values, offsets[chosen], deltas[chosen].astype(kind))
    post_keys = sorted_keys[post]
    first = np.flatnonzero(np.append(True, post_keys[1:] != post_keys[:-1]))
    postings = Postings(docnums[doc[post]], (freq * boost).astype(np.float32), value_lengths,
                        value_starts, values, first, doc_length_bytes[doc[post]], fixed_size=False)
    texts = [(chr(key >> _SHIFT) + chr((key & _SECOND) - 1) if key & _SECOND else chr(key >> _SHIFT))
             .encode("utf-8") for key in post_keys[first].tolist()]
    yield from finished_terms(fieldname, texts, postings, entries, blocking)
