"""Term entries and posting blocks of many terms at once, built with numpy.

``Postings`` holds the postings of a run of terms, in term order: each
posting's document, weight, value and field length. ``finished_terms`` turns
them into what ``indexer.codec`` reads: the entry of a term with few
postings (``indexer.codec.inline_entry``), or the
entry header and the posting blocks (``block_bytes``) of a term with more.
Every posting's bytes are placed with array operations; only headers and
zlib run once per block, and nothing runs once per posting.
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass

import numpy as np
from whoosh.util.numeric import _length_byte_cache

from indexer.codec import (BLOCK_HEADER, BLOCK_SIZE, BLOCKS_MAGIC, COMPRESS_FROM, INLINE_HEADER,
                           INLINE_LIMIT)

def finished_terms(fieldname: str, texts: list[bytes], postings: Postings, entries: bool,
                   blocking: tuple[int, int]):
    """Each term of ``postings`` (``texts``: their term bytes, in order) as
    ``indexer.postings.TermPool.terms`` yields it. With ``entries``, finished:
    ``(field, term, entry)`` when the postings go in the term entry,
    ``(field, term, entry header, posting blocks)`` otherwise, cut in blocks
    of ``blocking`` = (postings per block, zlib level). Without, postings:
    ``(field, term, docs, weights, values, value lengths)``."""
    first = postings.first
    inline = (np.diff(np.append(first, len(postings.docs))) <= INLINE_LIMIT) & entries
    entry_data, entry_bounds = _inline_entries(postings, inline)
    heads, blobs = _blocks(postings, ~inline, *blocking) if entries else ([], [])
    bounds = np.append(first, len(postings.docs)).tolist()
    entry_bounds = entry_bounds.tolist()
    docs = postings.docs.tolist()
    weights = postings.weights.tolist()
    lengths = postings.value_lengths.tolist()
    value_bounds = np.append(postings.value_starts, len(postings.values)).tolist()
    data = postings.values.tobytes()
    entry = blocked = 0
    for number, (text, short) in enumerate(zip(texts, inline.tolist())):
        if short:
            yield fieldname, text, entry_data[entry_bounds[entry]:entry_bounds[entry + 1]]
            entry += 1
        elif entries:
            yield fieldname, text, heads[blocked], blobs[blocked]
            blocked += 1
        else:
            a, b = bounds[number], bounds[number + 1]
            yield (fieldname, text, array("I", docs[a:b]), array("f", weights[a:b]),
                   data[value_bounds[a]:value_bounds[b]], array("I", lengths[a:b]))


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``whoosh.util.numeric.length_to_byte`` of each length."""
    return np.where(lengths >= 106374, 255,
                    np.searchsorted(np.asarray(_length_byte_cache), lengths)).astype(np.uint8)


#: ``indexer.codec.TermInfo``'s header: flags, weight, document frequency,
#: min / max length bytes, max weight, first and last document.
_HEADER = np.dtype([("flags", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlength", "u1"),
                    ("maxlength", "u1"), ("maxweight", ">f4"), ("minid", ">u4"), ("maxid", ">u4")])


@dataclass
class Postings:
    """A key range's postings, in term order, and where each term starts."""

    docs: np.ndarray
    weights: np.ndarray
    value_lengths: np.ndarray
    value_starts: np.ndarray
    values: np.ndarray
    first: np.ndarray
    length_bytes: np.ndarray
    #: Whether every value has the same size (blocks then store no value lengths).
    fixed_size: bool


def _inline_entries(postings: Postings, inline: np.ndarray) -> tuple[bytes, np.ndarray]:
    """The term entries (``indexer.codec.inline_entry``) of the terms marked
    ``inline``, one after the other, and where each starts and ends."""
    first = postings.first[inline]
    df = (np.append(postings.first[1:], len(postings.docs)) - postings.first)[inline]
    terms = len(first)
    if not terms:
        return b"", np.zeros(1, dtype=np.int64)
    term_of = np.repeat(np.arange(terms), df)
    term_start = np.cumsum(df) - df
    rank = np.arange(len(term_of)) - term_start[term_of]
    chosen = first[term_of] + rank
    leading = rank == 0
    value_lengths = postings.value_lengths[chosen]
    weights = postings.weights[chosen]
    same_weight = _all_equal(weights, term_start, term_of)
    same_length = _all_equal(value_lengths, term_start, term_of)
    longest = np.maximum.reduceat(value_lengths, term_start)
    length_size = np.where(same_length, 0, np.where(longest < 256, 1, np.where(longest < 65536, 2, 4)))
    weight_bytes = np.where(same_weight, 4, 4 * df)
    length_bytes = np.where(same_length, 4, length_size * df)
    sizes = (INLINE_HEADER.size + 4 * df + weight_bytes + length_bytes
             + np.add.reduceat(value_lengths, term_start))
    bounds = np.zeros(terms + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    out = np.empty(int(bounds[-1]), dtype=np.uint8)
    head = np.zeros(terms, dtype=_INLINE_HEAD)
    head["flags"] = 1
    head["minlength"] = np.minimum.reduceat(postings.length_bytes[chosen], term_start)
    head["maxlength"] = np.maximum.reduceat(postings.length_bytes[chosen], term_start)
    head["count"] = df
    head["same_weight"] = same_weight
    head["length_size"] = length_size
    scatter(out, bounds[:-1], head)
    ids_at = bounds[:-1] + INLINE_HEADER.size
    scatter(out, ids_at[term_of] + 4 * rank, postings.docs[chosen].astype(np.uint32))
    weights_at = ids_at + 4 * df
    each = ~same_weight[term_of] | leading
    scatter(out, weights_at[term_of][each] + 4 * rank[each], weights[each].astype(np.float32))
    lengths_at = weights_at + weight_bytes
    for size, kind in ((0, np.uint32), (1, np.uint8), (2, np.uint16), (4, np.uint32)):
        wanted = length_size[term_of] == size
        if size == 0:
            wanted &= leading
        scatter(out, lengths_at[term_of][wanted] + size * rank[wanted], value_lengths[wanted].astype(kind))
    within = np.cumsum(value_lengths) - value_lengths
    within -= within[term_start][term_of]
    _copy(out, (lengths_at + length_bytes)[term_of] + within, postings.values,
          postings.value_starts[chosen], value_lengths)
    return out.tobytes(), bounds


#: ``indexer.codec.INLINE_HEADER`` as a numpy record.
_INLINE_HEAD = np.dtype([("flags", "u1"), ("minlength", "u1"), ("maxlength", "u1"), ("count", "u1"),
                         ("same_weight", "u1"), ("length_size", "u1")])


def _all_equal(items: np.ndarray, term_start: np.ndarray, term_of: np.ndarray) -> np.ndarray:
    """For each term, whether all its postings' ``items`` are equal."""
    differ = (items != items[term_start][term_of]).astype(np.int64)
    return np.add.reduceat(differ, term_start) == 0


def _blocks(postings: Postings, chosen_terms: np.ndarray, limit: int,
            compression: int) -> tuple[list[bytes], list[bytes]]:
    """For each chosen term, its entry header (``TermInfo`` without the
    extent) and its posting blocks (``indexer.codec.block_bytes``)."""
    first = postings.first[chosen_terms]
    df = (np.append(postings.first[1:], len(postings.docs)) - postings.first)[chosen_terms]
    if not len(first):
        return [], []
    term_of = np.repeat(np.arange(len(first)), df)
    rank = np.arange(len(term_of)) - np.repeat(np.cumsum(df) - df, df)
    chosen = first[term_of] + rank
    starts = np.flatnonzero(rank % limit == 0)  # each block's first posting
    block_of = np.cumsum(rank % limit == 0) - 1
    count = np.diff(np.append(starts, len(chosen)))
    in_block = rank % limit
    ids = postings.docs[chosen]
    deltas = np.diff(ids, prepend=0)
    deltas[starts] = ids[starts]
    weights = postings.weights[chosen]
    value_lengths = postings.value_lengths[chosen]
    id_size = np.where(np.maximum.reduceat(deltas, starts) >= 65536, 4, 2)
    if postings.fixed_size:  # no value lengths stored
        length_size = np.zeros(len(starts), dtype=np.int64)
    else:
        length_size = np.where(np.maximum.reduceat(value_lengths, starts) >= 65536, 4, 2)
    ones = np.add.reduceat((weights != 1.0).astype(np.int64), starts) == 0
    equal = np.add.reduceat((weights != weights[starts][block_of]).astype(np.int64), starts) == 0
    kind = np.where(ones, 0, np.where(equal, 1, 2))
    weight_size = np.where(kind == 2, 4 * count, np.where(kind == 1, 4, 0))
    value_size = np.add.reduceat(value_lengths, starts)
    sizes = count * (id_size + length_size) + weight_size + value_size
    at = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    post_at = at[block_of]
    for size, kind_code in ((2, np.uint16), (4, np.uint32)):
        wanted = id_size[block_of] == size
        scatter(out, post_at[wanted] + size * in_block[wanted], deltas[wanted].astype(kind_code))
    weights_at = post_at + count[block_of] * id_size[block_of]
    one_each = kind[block_of] == 2
    scatter(out, weights_at[one_each] + 4 * in_block[one_each], weights[one_each])
    shared = (kind[block_of] == 1) & (in_block == 0)
    scatter(out, weights_at[shared], weights[shared])
    lengths_at = weights_at + weight_size[block_of]
    for size, kind_code in ((2, np.uint16), (4, np.uint32)):
        wanted = length_size[block_of] == size
        scatter(out, lengths_at[wanted] + size * in_block[wanted], value_lengths[wanted].astype(kind_code))
    within = np.cumsum(value_lengths) - value_lengths
    within -= within[starts][block_of]
    _copy(out, lengths_at + count[block_of] * length_size[block_of] + within, postings.values,
          postings.value_starts[chosen], value_lengths)
    data = out.tobytes()
    term_starts = np.cumsum(df) - df
    header = np.zeros(len(first), dtype=_HEADER)
    header["weight"] = np.add.reduceat(weights.astype(np.float64), term_starts)
    header["df"] = df
    header["minlength"] = np.minimum.reduceat(postings.length_bytes[chosen], term_starts)
    header["maxlength"] = np.maximum.reduceat(postings.length_bytes[chosen], term_starts)
    header["maxweight"] = np.maximum(np.maximum.reduceat(weights, term_starts), 0)
    header["minid"] = ids[term_starts]
    header["maxid"] = ids[term_starts + df - 1]
    block_min = np.minimum.reduceat(postings.length_bytes[chosen], starts).tolist()
    block_max = np.maximum.reduceat(postings.length_bytes[chosen], starts).tolist()
    block_weight = np.maximum.reduceat(weights, starts).tolist()
    last_ids = ids[starts + count - 1].tolist()
    ends = (at + sizes).tolist()
    blocks_per_term = ((df + limit - 1) // limit).tolist()
    codes = [(b"H" if i == 2 else b"I", w, {0: b"B", 2: b"H", 4: b"I"}[v])
             for i, w, v in zip(id_size.tolist(), kind.tolist(), length_size.tolist())]
    counts, at = count.tolist(), at.tolist()
    blobs = []
    block = 0
    for blocks in blocks_per_term:
        pieces = [BLOCKS_MAGIC]
        for number in range(block, block + blocks):
            payload = data[at[number]:ends[number]]
            level = compression if len(payload) >= COMPRESS_FROM else 0
            if level:
                payload = zlib.compress(payload, level)
            head = BLOCK_HEADER.pack(counts[number], last_ids[number], block_weight[number], level,
                                     block_min[number], block_max[number], *codes[number])
            size = len(head) + len(payload)
            pieces += (BLOCK_SIZE.pack(-size if number == block + blocks - 1 else size), head, payload)
        block += blocks
        blobs.append(b"".join(pieces))
    return _rows(header), blobs


def _rows(table: np.ndarray) -> list[bytes]:
    data = table.tobytes()
    size = table.dtype.itemsize
    return [data[i:i + size] for i in range(0, len(data), size)]


def scatter(out: np.ndarray, at: np.ndarray, items: np.ndarray) -> None:
    """Write each item's bytes into ``out`` at the offsets ``at``."""
    if not len(at):
        return
    raw = np.ascontiguousarray(items).view(np.uint8).reshape(len(at), -1)
    out[at[:, None] + np.arange(raw.shape[1])] = raw


def _copy(out, at, source, source_at, lengths) -> None:
    """Copy ``source[source_at[i]:source_at[i] + lengths[i]]`` to ``out[at[i]:]`` for each i."""
    total = int(lengths.sum())
    if not total:
        return
    owner = np.repeat(np.arange(len(lengths)), lengths)
    step = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[at[owner] + step] = source[source_at[owner] + step]
