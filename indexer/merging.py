"""Reading a segment's postings back a term at a time: for merges, and for
queries that take every term of a prefix.

Whoosh merges a segment by replaying every posting through its writer (a
Python call and a tuple each; ``zhsearch optimize`` took 14 minutes on a
22,690-article index). ``segment_terms`` reads each term's entry and
posting blocks (``indexer.codec``) straight into arrays, renumbering the
documents; ``indexer.postings.TermPool`` merges them with the other
segments' and lays them out again in bulk.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo

from indexer.codec import (BLOCK_HEADER, BLOCK_SIZE, BLOCKS_MAGIC, ENTRY_EXTENT, INLINE_HEADER,
                           read_inline)

#: A term entry's header.
_INFO = W3TermInfo._struct


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


def segment_terms(reader, schema, numbers: np.ndarray):
    """``(field, term, docs, weights, values, value lengths)`` of every term of
    the segment ``reader`` in a field of ``schema``, in order, documents
    renumbered by ``numbers`` (``document_map``); a term left without
    documents is skipped."""
    terms = reader._terms
    postfile = terms._postfile
    unmap = terms._fieldunmap
    renumber = _Renumber(numbers)
    fieldnum, fixed, fieldname = None, None, None
    for key, entry in terms._tindex.items():
        number = int.from_bytes(key[:2], "big")
        if number != fieldnum:
            fieldnum, fieldname = number, unmap[number]
            fixed = schema[fieldname].format.fixed_value_size() if fieldname in schema else None
        if fieldname not in schema:
            continue
        if entry[0] & 1:
            _, _, ids, weights, lengths, values = read_inline(entry)
            postings = ids, weights, values, lengths
        else:
            offset, length = ENTRY_EXTENT.unpack_from(entry, _INFO.size)
            postings = _blocks(postfile.get(offset, length), fixed)
        docs, weights, values, lengths = renumber(*postings)
        if docs:
            yield fieldname, key[2:], docs, weights, values, lengths


def prefix_documents(reader, fieldname: str, prefix: bytes) -> list[int]:
    """The documents of the segment ``reader`` holding a term of ``fieldname``
    that starts with ``prefix``, in order, read straight from the term entries
    and posting blocks (no matcher per term)."""
    terms = reader._terms
    fixed = reader.schema[fieldname].format.fixed_value_size()
    start = terms._keycoder(fieldname, prefix)
    docs: set[int] = set()
    for key, entry in terms._tindex.items_from(start):
        if not key.startswith(start):
            break
        if entry[0] & 1:
            ids = array("I")
            ids.frombytes(entry[INLINE_HEADER.size:INLINE_HEADER.size + 4 * entry[3]])
        else:
            offset, length = ENTRY_EXTENT.unpack_from(entry, _INFO.size)
            ids = _blocks(terms._postfile.get(offset, length), fixed)[0]
        docs.update(ids)
    return sorted(docs)


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


def _blocks(data: bytes, fixed: int | None) -> tuple:
    """The postings of a term's blocks (``indexer.codec.block_bytes``)."""
    if data[:len(BLOCKS_MAGIC)] != BLOCKS_MAGIC:
        raise ValueError("not a posting list")
    ids, weights, lengths, values = array("I"), array("f"), array("I"), []
    position = len(BLOCKS_MAGIC)
    last = False
    while not last:
        size = BLOCK_SIZE.unpack_from(data, position)[0]
        last = size < 0
        start = position + BLOCK_SIZE.size
        position = start + abs(size)
        count, _, _, compression, _, _, id_type, weights_kind, length_type = \
            BLOCK_HEADER.unpack_from(data, start)
        payload = data[start + BLOCK_HEADER.size:position]
        if compression:
            payload = zlib.decompress(payload)
        deltas = array(id_type.decode())
        at = deltas.itemsize * count
        deltas.frombytes(payload[:at])
        ids.extend(accumulate(deltas))
        if weights_kind == 2:
            weights.frombytes(payload[at:at + 4 * count])
            at += 4 * count
        elif weights_kind == 1:
            weights.frombytes(payload[at:at + 4] * count)
            at += 4
        else:
            weights.extend([1.0] * count)
        if fixed is None or fixed < 0:
            block_lengths = array(length_type.decode())
            block_lengths.frombytes(payload[at:at + block_lengths.itemsize * count])
            lengths.fromlist(block_lengths.tolist())
            at += block_lengths.itemsize * count
        else:
            lengths.extend([fixed] * count)
        values.append(payload[at:])
    return ids, weights, b"".join(values), lengths
