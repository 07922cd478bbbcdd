"""Reading a segment's postings back a term at a time, for merges.

Whoosh merges a segment by replaying every posting through its writer (a
Python call and a tuple each; ``zhsearch optimize`` took 14 minutes on a
22,690-article index). ``segment_terms`` reads each term's entry and
posting blocks (``indexer.codec``) straight into arrays, renumbering the
documents; ``indexer.postings.TermPool`` merges them with the other
segments' and lays them out again in bulk.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

import numpy as np
from whoosh.system import pack_ushort

from indexer.codec import ENTRY_EXTENT, TermInfo, block_postings, read_inline


def document_map(reader, docbase: int, docmap: dict | None) -> np.ndarray:
    """Each of the segment's document numbers in the new segment (-1: deleted).
    ``docmap`` is Whoosh's (old -> new, only when the segment has deletions)."""
    count = reader.doc_count_all()
    if docmap is None:
        return np.arange(docbase, docbase + count, dtype=np.int64)
    numbers = np.full(count, -1, dtype=np.int64)
    if docmap:
        numbers[np.fromiter(docmap.keys(), np.int64)] = np.fromiter(docmap.values(), np.int64)
    return numbers


def segment_terms(reader, schema, numbers: np.ndarray, fieldnames: set[str]):
    """``(field, term, docs, weights, values, value lengths)`` of every term of
    the segment ``reader`` in ``fieldnames`` (fields of ``schema``), in order,
    documents renumbered by ``numbers`` (``document_map``); a term left
    without documents is skipped."""
    terms = reader._terms
    postfile = terms._postfile
    renumber = _Renumber(numbers)
    for fieldname in sorted(fieldnames & terms._fieldmap.keys()):
        fixed = schema[fieldname].format.fixed_value_size()
        prefix = pack_ushort(terms._fieldmap[fieldname])
        for key, entry in terms._tindex.items_from(prefix):
            if not key.startswith(prefix):
                break
            if entry[0] & 1:
                _, _, ids, weights, lengths, values = read_inline(entry)
                postings = ids, weights, values, lengths
            else:
                offset, length = ENTRY_EXTENT.unpack_from(entry, TermInfo._struct.size)
                postings = block_postings(postfile.get(offset, length), fixed)
            docs, weights, values, lengths = renumber(*postings)
            if docs:
                yield fieldname, key[2:], docs, weights, values, lengths


class _Renumber:
    """Postings with their documents renumbered, deleted documents dropped."""

    def __init__(self, numbers: np.ndarray):
        self._numbers = numbers.tolist()
        self._deletions = bool((numbers < 0).any())

    def __call__(self, ids: array, weights: array, values: bytes, lengths: array) -> tuple:
        numbers = self._numbers
        docs = [numbers[i] for i in ids]
        if not self._deletions or min(docs) >= 0:
            return array("I", docs), weights, values, lengths
        ends = list(accumulate(lengths, initial=0))
        kept = [n for n, doc in enumerate(docs) if doc >= 0]
        return (array("I", [docs[n] for n in kept]), array("f", [weights[n] for n in kept]),
                b"".join(values[ends[n]:ends[n + 1]] for n in kept), array("I", [lengths[n] for n in kept]))
