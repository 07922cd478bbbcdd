"""Whoosh's segment format (``W3Codec``) with compact terms and posting blocks.

Columns and stored fields are Whoosh's own. Opening a segment maps
its file without copying it (Whoosh copied every mapped file into memory:
a search on a 700 MB index peaked at 1.4 GB). Terms and posting
lists differ, because Whoosh spends most of an index's size and build time
on them (a character-pair field has a large vocabulary of short posting
lists):

* a block is a fixed binary header and machine arrays (document number
  deltas, weights only when they vary, value lengths and values) instead of
  two pickles; it is compressed only when that pays (Whoosh compressed even
  a one-posting block, adding more bytes than it saved);
* a term found in at most ``INLINE_LIMIT`` documents keeps its postings
  inside its term entry (Whoosh meant to keep one, but its writer never
  did), as machine arrays after a 6-byte head (``inline_entry``): most
  terms of a character-pair field are in one or two documents;
* the length of a posting's field in its document is read once per field
  and flush, not back from disk for every posting; postings are not
  type-checked one by one;
* the term file is ``indexer.terms``' front-coded blocks, not Whoosh's
  ordered MD5 hash table.

New segments are written by ``indexer.postings.SegmentWriter``, which
builds blocks and entries in bulk (``indexer.postblocks``) in exactly these
formats; Whoosh's own writers go through the classes here.

Segments record their codec, so the class is pickled into the index: keep its
import path stable.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter,
    W3Segment, W3TermInfo, _lenfield)
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.terms import TermsReader, TermFileWriter

#: count, last id, max weight, compression, min/max length bytes, id array
#: type, weights kind (0 all 1.0, 1 all equal, 2 one each), value-length type.
BLOCK_HEADER = struct.Struct("<IIfBBBcBc")
#: A block's length prefix, as ``StructFile.write_int`` writes it.
BLOCK_SIZE = struct.Struct("!i")
#: What a term's posting list starts with.
BLOCKS_MAGIC = WHOOSH3_HEADER_MAGIC
#: Where a term's posting blocks are, after its entry header (``TermInfo``):
#: offset and length (``W3TermInfo.to_bytes``).
ENTRY_EXTENT = struct.Struct("!qi")
#: Blocks shorter than this are stored uncompressed.
COMPRESS_FROM = 128
#: Terms with at most this many postings keep them in the term entry (most
#: terms of a character-pair field have a handful).
INLINE_LIMIT = 8
#: The head of an entry holding its postings (``inline_entry``): flags (1),
#: min and max length bytes, postings, whether all weights are equal, bytes
#: per value length (0: all equal).
INLINE_HEADER = struct.Struct("<BBBBBB")
_LENGTH_CODES = {1: "B", 2: "H", 4: "I"}
#: Bytes a line is looked for in at a time when reading a mapped file.
_LINE_PIECE = 4096


class BulkCodec(W3Codec):
    def new_segment(self, storage, indexname):
        return _Segment(self, indexname)

    def field_writer(self, storage, segment) -> "FieldWriter":
        return FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=INLINE_LIMIT)

    def terms_reader(self, storage, segment):
        name = segment.make_filename(self.TERMS_EXT)
        return TermsReader(self, storage.open_file(name), storage.file_length(name),
                           segment.open_file(storage, self.POSTS_EXT), TermInfo)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                               terminfo=terminfo)
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class TermInfo(W3TermInfo):
    """Whoosh's term entry; a short posting list goes inline (``inline_entry``)."""

    def to_bytes(self):
        if not self.is_inlined():
            return super().to_bytes()
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        return inline_entry(*self._inlined, minlength, length_to_byte(self._maxlength))

    @classmethod
    def from_bytes(cls, data: bytes) -> "TermInfo":
        info = cls()
        if data[0] & 1:
            minlength, maxlength, ids, weights, lengths, values = read_inline(data)
            info._df, info._weight = len(ids), sum(weights)
            info._maxweight = max(0, *weights)
            info._minid, info._maxid = ids[0], ids[-1]
            ends = list(accumulate(lengths, initial=0))
            info._inlined = (tuple(ids), tuple(weights),
                             tuple(values[a:b] for a, b in zip(ends, ends[1:])))
        else:
            (_, info._weight, info._df, minlength, maxlength, info._maxweight, minid,
             maxid) = cls._struct.unpack_from(data)
            info._minid = None if minid == 0xFFFFFFFF else minid
            info._maxid = None if maxid == 0xFFFFFFFF else maxid
            info._offset, info._length = ENTRY_EXTENT.unpack_from(data, cls._struct.size)
        info._minlength, info._maxlength = byte_to_length(minlength), byte_to_length(maxlength)
        return info

    @classmethod
    def weight_of(cls, data: bytes) -> float:
        """The total weight recorded in an entry."""
        return cls.from_bytes(data).weight() if data[0] & 1 else cls._struct.unpack_from(data)[1]

    @classmethod
    def doc_frequency_of(cls, data: bytes) -> int:
        """The document frequency recorded in an entry."""
        return INLINE_HEADER.unpack_from(data)[3] if data[0] & 1 else cls._struct.unpack_from(data)[2]


def inline_entry(ids, weights, values, minlength: int, maxlength: int) -> bytes:
    """The entry of a term holding its postings: ``INLINE_HEADER``, then the
    document numbers (``I``), the weights (``f``; one if all are equal), the
    values' lengths (one ``I`` if all are equal, else ``B``, ``H`` or ``I``
    each) and the values. ``minlength``, ``maxlength``: length bytes."""
    lengths = [len(value) for value in values] if values else [0] * len(ids)
    same_weight = all(weight == weights[0] for weight in weights)
    if all(length == lengths[0] for length in lengths):
        length_size, length_bytes = 0, array("I", lengths[:1]).tobytes()
    else:
        code = "B" if max(lengths) < 256 else "H" if max(lengths) < 65536 else "I"
        length_size, length_bytes = array(code).itemsize, array(code, lengths).tobytes()
    return b"".join((INLINE_HEADER.pack(1, minlength, maxlength, len(ids), same_weight, length_size),
                     array("I", ids).tobytes(), array("f", weights[:1] if same_weight else weights).tobytes(),
                     length_bytes, *values))


def read_inline(data: bytes) -> tuple[int, int, array, array, array, bytes]:
    """What ``inline_entry`` stored: min and max length bytes, document
    numbers, weights, value lengths and the values joined."""
    _, minlength, maxlength, count, same_weight, length_size = INLINE_HEADER.unpack_from(data)
    at = INLINE_HEADER.size
    ids, weights = array("I"), array("f")
    ids.frombytes(data[at:at + 4 * count])
    at += 4 * count
    weights.frombytes(data[at:at + 4] * count if same_weight else data[at:at + 4 * count])
    at += 4 if same_weight else 4 * count
    if length_size:
        lengths = array(_LENGTH_CODES[length_size])
        lengths.frombytes(data[at:at + length_size * count])
        lengths = array("I", lengths)
        at += length_size * count
    else:
        lengths = array("I")
        lengths.frombytes(data[at:at + 4] * count)
        at += 4
    return minlength, maxlength, ids, weights, lengths, bytes(data[at:])


class FieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment):
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = TermFileWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    @property
    def block_limit(self) -> int:
        return self._codec._blocklimit

    def start_term(self, btext):
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, TermInfo())

    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, _Lengths(lengths) if lengths else None, items)


class _Lengths:
    """``doc_field_length`` with each field's lengths read once, in document order."""

    def __init__(self, reader):
        self._reader = reader
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = [read(n, fieldname, default) for n in range(self._reader.doc_count_all())]
            self._fields[fieldname] = lengths
        return lengths[docnum] if docnum < len(lengths) else default


class _PostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self):
        terminfo = self._terminfo
        if self._byteids or self.written() or len(self._ids) > self._inlinelimit:
            return super().finish_postings()
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo

    def _write_block(self, last=False):
        if self._byteids:  # term vectors: Whoosh's own blocks
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        values = self._values
        fixed = self._format.fixed_value_size()
        lengths = array("I", map(len, values)) if fixed is None or fixed < 0 else None
        self._postfile.write(block_bytes(self._ids, self._weights, lengths, b"".join(values),
                                         self._maxweight, self._minlength, self._maxlength,
                                         self._compression, last))
        self._blockcount += 1
        self._new_block()


def block_bytes(ids: array, weights: array, value_lengths: array | None, values: bytes,
                maxweight: float, minlength: int | None, maxlength: int, compression: int,
                last: bool) -> bytes:
    """One posting block as ``BlockMatcher`` reads it, with its length prefix
    (negative for a term's last block). ``value_lengths`` is None for a
    format whose values have a fixed size."""
    deltas = array("I", ids)
    deltas[1:] = array("I", (b - a for a, b in zip(ids, ids[1:])))
    id_type, id_bytes = _narrow(deltas)
    if all(w == 1.0 for w in weights):
        weights_kind, weight_bytes = 0, b""
    elif all(w == weights[0] for w in weights):
        weights_kind, weight_bytes = 1, weights[:1].tobytes()
    else:
        weights_kind, weight_bytes = 2, weights.tobytes()
    if value_lengths is None:
        length_type, length_bytes = b"B", b""
    else:
        length_type, length_bytes = _narrow(value_lengths)
    payload = b"".join((id_bytes, weight_bytes, length_bytes, values))
    comp = compression if len(payload) >= COMPRESS_FROM else 0
    if comp:
        payload = zlib.compress(payload, comp)
    header = BLOCK_HEADER.pack(len(ids), ids[-1], maxweight, comp, length_to_byte(minlength),
                          length_to_byte(maxlength), id_type, weights_kind, length_type)
    size = len(header) + len(payload)
    return BLOCK_SIZE.pack(-size if last else size) + header + payload


def _narrow(numbers: array) -> tuple[bytes, bytes]:
    """The smallest array type code that holds ``numbers``, and their bytes."""
    code = "H" if not numbers or max(numbers) < 65536 else "I"
    return code.encode(), array(code, numbers).tobytes()


def _ids_and_weights(payload: bytes, count: int, id_type: bytes, weights_kind: int) -> tuple[tuple, array, int]:
    """A block's document numbers (a tuple: the matcher indexes it per posting)
    and weights (``block_bytes``), and where its value lengths start."""
    deltas = array(id_type.decode())
    at = deltas.itemsize * count
    deltas.frombytes(payload[:at])
    weights = array("f")
    if weights_kind == 2:
        weights.frombytes(payload[at:at + 4 * count])
        at += 4 * count
    elif weights_kind == 1:
        weights.frombytes(payload[at:at + 4] * count)
        at += 4
    else:
        weights = array("f", [1.0]) * count
    return tuple(accumulate(deltas)), weights, at


def _value_lengths(payload: bytes, at: int, count: int, length_type: bytes,
                   fixed: int | None) -> tuple[array, int]:
    """A block's value lengths (stored, or ``fixed`` each), and where its values start."""
    if fixed is not None and fixed >= 0:
        return array("I", [fixed]) * count, at
    stored = array(length_type.decode())
    stored.frombytes(payload[at:at + stored.itemsize * count])
    return array("I", stored), at + stored.itemsize * count


def length_bytes_of(perdoc, fieldname: str) -> bytes | None:
    """Each document's length byte for ``fieldname`` (0: none) as the
    per-document reader ``perdoc`` stores them, read whole from the length
    column; None if the segment has no lengths for the field."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    stored = bytes(column._dbfile.get(column._basepos, column._count))
    return stored + bytes(perdoc.doc_count_all() - len(stored))


def _posting_blocks(data: bytes, within: np.ndarray | None = None):
    """Each posting block of a term's list (``block_bytes``): its count, id
    array type, weights kind, value-length type and (decompressed) payload.
    With ``within`` (sorted document numbers), only the blocks whose range of
    documents holds one of them (the others are not decompressed)."""
    if data[:len(BLOCKS_MAGIC)] != BLOCKS_MAGIC:
        raise ValueError("not a posting list")
    position = len(BLOCKS_MAGIC)
    blocks, last_ids = [], []
    last = False
    while not last:
        size = BLOCK_SIZE.unpack_from(data, position)[0]
        last = size < 0
        start = position + BLOCK_SIZE.size
        position = start + abs(size)
        header = BLOCK_HEADER.unpack_from(data, start)
        blocks.append((start + BLOCK_HEADER.size, position, header))
        last_ids.append(header[1])
    if within is not None:
        # block i holds documents (last_ids[i - 1], last_ids[i]]
        firsts = np.searchsorted(within, np.array([-1] + last_ids[:-1]), side="right")
        held = firsts < len(within)
        held[held] = within[firsts[held]] <= np.array(last_ids)[held]
        blocks = [block for block, keep in zip(blocks, held.tolist()) if keep]
    for start, end, (count, _, _, compression, _, _, id_type, weights_kind, length_type) in blocks:
        payload = data[start:end]
        yield count, id_type, weights_kind, length_type, zlib.decompress(payload) if compression else payload


def block_postings(data: bytes, fixed: int | None) -> tuple[array, array, bytes, array]:
    """The document numbers, weights, values (joined) and value lengths of a
    term's posting blocks (``block_bytes``); ``fixed``: the format's value size."""
    ids, weights, lengths, values = array("I"), array("f"), array("I"), []
    for count, id_type, weights_kind, length_type, payload in _posting_blocks(data):
        block_ids, block_weights, at = _ids_and_weights(payload, count, id_type, weights_kind)
        ids.extend(block_ids)
        weights.extend(block_weights)
        block_lengths, at = _value_lengths(payload, at, count, length_type, fixed)
        lengths.extend(block_lengths)
        values.append(payload[at:])
    return ids, weights, b"".join(values), lengths


_NO_POSTINGS = (np.zeros(0, dtype=np.int64), np.zeros(0))


class Postings(NamedTuple):
    """A term's postings as numpy arrays: document numbers (int64), weights
    (float64) and, when asked for, the values joined and their lengths."""

    ids: np.ndarray
    weights: np.ndarray
    values: bytes | None = None
    lengths: np.ndarray | None = None


def term_entry(reader, fieldname: str, tbytes: bytes) -> bytes | None:
    """The term's entry in the segment ``reader`` (None if it has no such term)."""
    try:
        return reader._terms._entry(fieldname, tbytes)
    except KeyError:
        return None


def entry_doc_frequency(entry: bytes) -> int:
    """How many documents hold the term of this entry."""
    return TermInfo.doc_frequency_of(entry)


def entry_postings(reader, fieldname: str, entry: bytes, within: np.ndarray | None = None,
                   values: bool = False) -> Postings:
    """The postings of the term whose entry (``term_entry``) this is, in the
    segment ``reader``, read straight from the entry or the posting blocks.
    With ``within`` (sorted document numbers), blocks holding none of them
    are left out (postings of other documents may remain)."""
    if entry[0] & 1:
        _, _, ids, weights, lengths, joined = read_inline(entry)
        return Postings(np.frombuffer(ids, dtype=np.uint32).astype(np.int64),
                        np.frombuffer(weights, dtype=np.float32).astype(np.float64),
                        joined if values else None,
                        np.frombuffer(lengths, dtype=np.uint32).astype(np.int64) if values else None)
    offset, length = ENTRY_EXTENT.unpack_from(entry, TermInfo._struct.size)
    fixed = reader.schema[fieldname].format.fixed_value_size() if values else None
    return posting_arrays(reader._terms._postfile.get(offset, length), within, values, fixed)


def posting_arrays(data: bytes, within: np.ndarray | None = None, values: bool = False,
                   fixed: int | None = None) -> Postings:
    """The postings of a term's posting blocks (``block_bytes``; only those
    that may hold ``within``, if given): each block's id deltas and weights
    (and value lengths and values) are sliced out, then all are converted and
    summed at once. ``fixed``: the format's value size."""
    counts, id_parts, widths, weight_parts, kinds, lengths, joined = [], [], [], [], [], array("I"), []
    for count, id_type, weights_kind, length_type, payload in _posting_blocks(data, within):
        size = 2 if id_type == b"H" else 4
        counts.append(count)
        id_parts.append(payload[:size * count])
        widths.append(size)
        kinds.append(weights_kind)
        weights_end = size * count + (4 * count if weights_kind == 2 else 4 if weights_kind == 1 else 0)
        weight_parts.append(payload[size * count:weights_end])
        if values:
            block_lengths, at = _value_lengths(payload, weights_end, count, length_type, fixed)
            lengths.extend(block_lengths)
            joined.append(payload[at:])
    if not counts:
        return Postings(*_NO_POSTINGS, b"" if values else None, np.zeros(0, dtype=np.int64) if values else None)
    counts = np.array(counts, dtype=np.int64)
    ids = runs_summed(_joined(id_parts, np.array(widths), counts, {2: "=u2", 4: "=u4"}), counts)
    kinds = np.array(kinds)
    per_block = np.repeat(kinds, counts)
    weights = np.ones(len(ids))
    one_each = [part for part, kind in zip(weight_parts, kinds) if kind == 2]
    if one_each:
        weights[per_block == 2] = np.frombuffer(b"".join(one_each), dtype="=f4")
    shared = [part for part, kind in zip(weight_parts, kinds) if kind == 1]
    if shared:
        weights[per_block == 1] = np.repeat(np.frombuffer(b"".join(shared), dtype="=f4"), counts[kinds == 1])
    if not values:
        return Postings(ids, weights)
    return Postings(ids, weights, b"".join(joined), np.frombuffer(lengths, dtype=np.uint32).astype(np.int64))


def runs_summed(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The running sums (int64) of ``deltas`` taken as runs of ``counts``
    numbers, each run summed on its own (a block's ids, a posting's positions)."""
    running = np.cumsum(deltas, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return running - np.repeat(running[starts] - deltas[starts], counts)


def _joined(parts: list[bytes], types: np.ndarray, counts: np.ndarray, dtypes: dict) -> np.ndarray:
    """The numbers of byte strings ``parts``, each of numpy type ``dtypes[its type]``, in order."""
    if (types == types[0]).all():
        return np.frombuffer(b"".join(parts), dtype=dtypes[int(types[0])])
    numbers = np.empty(int(counts.sum()), dtype=np.int64)
    per_number = np.repeat(types, counts)
    for kind, dtype in dtypes.items():
        chosen = [part for part, k in zip(parts, types) if k == kind]
        if chosen:
            numbers[per_number == kind] = np.frombuffer(b"".join(chosen), dtype=dtype)
    return numbers


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
            offset, length = ENTRY_EXTENT.unpack_from(entry, TermInfo._struct.size)
            ids = block_postings(terms._postfile.get(offset, length), fixed)[0]
        docs.update(ids)
    return sorted(docs)


class BlockMatcher(W3LeafMatcher):
    """Reads the blocks ``_PostingsWriter`` writes."""

    def skip_to(self, targetid):
        """Whoosh's ``skip_to``, with a binary search inside the block (Whoosh
        steps through it a posting at a time: most of an AND query's time on a
        large index)."""
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
            if not self.is_active():
                return
            if self._ids is None:
                self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)

    def _goto(self, position):
        postfile = self._postfile
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        postfile.seek(position)
        length = postfile.read_int()
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        (self._blocklength, self._maxid, self._maxweight, self._compression, minlength,
         maxlength, self._id_type, self._weights_kind, self._length_type) = \
            BLOCK_HEADER.unpack(postfile.read(BLOCK_HEADER.size))
        self._dataoffset = position + 4 + BLOCK_HEADER.size
        self._minlength = byte_to_length(minlength)
        self._maxlength = byte_to_length(maxlength)

    def _read_data(self):
        """The block's document numbers and weights (values wait for ``_read_values``)."""
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            data = zlib.decompress(data)
        self._ids, self._weights, end = _ids_and_weights(data, self._blocklength, self._id_type,
                                                         self._weights_kind)
        self._data = (data, end)

    def _read_ids(self):
        self._read_data()

    def _read_weights(self):
        self._read_data()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        data, end = self._data
        if self._fixedsize == 0:
            self._values = (None,) * self._blocklength
            return
        lengths, end = _value_lengths(data, end, self._blocklength, self._length_type, self._fixedsize)
        starts = list(accumulate(lengths, initial=end))
        self._values = tuple(data[a:b] for a, b in zip(starts, starts[1:]))


class _Segment(W3Segment):
    def open_compound_file(self, storage):
        return _CompoundStorage(storage.open_file(self.make_filename(self.COMPOUND_EXT)),
                                use_mmap=storage.supports_mmap)


class _CompoundStorage(CompoundStorage):
    def open_file(self, name, *args, **kwargs):
        if not self._source or self.is_closed:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        view = memoryview(self._source)[offset:offset + length]
        file = BufferFile(b"", name=name)
        file._buf, file.file = view, _ViewReader(view)
        return file


class _ViewReader:
    """A read-only file over a memory view (``io.BytesIO`` would copy the view)."""

    def __init__(self, view: memoryview):
        self._view = view
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(start, end)
        return bytes(self._view[start:end])

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        end = self._position
        while end < limit:  # look in pieces: the rest of the file may be large
            piece = bytes(self._view[end:min(end + _LINE_PIECE, limit)])
            found = piece.find(b"\n")
            end += found + 1 if found >= 0 else len(piece)
            if found >= 0:
                break
        return self.read(end - self._position)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, len(self._view))[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._view = memoryview(b"")
