"""Writing a segment's postings in bulk, not a posting at a time.

Whoosh's ``SegmentWriter`` makes every posting a tuple (field, term,
document, weight, value), sorts all of them at commit (spilling sorted runs
to disk) and feeds them one by one through its field writer: tens of
microseconds per posting, and an article has over a thousand (a character
pair field alone has about 900). ``SegmentWriter`` here keeps the word
fields as numbered words and counts (``indexer.wordsort``) and the
character-pair fields as code points (``indexer.gramsort``); at commit both
are sorted with numpy and their term entries and posting blocks laid out in
bulk (``indexer.postblocks``). Other fields (ids, names, dates) and the
postings of merged segments go to a ``TermPool``: each term's postings in
machine arrays, written a term at a time. The segment holds the same terms
and postings as Whoosh's writer would write (``tests/test_postings.py``).

Memory stays bounded: commits bound the bulk fields (a few bytes per
character), and past ``limitmb`` the pool writes its terms, sorted, to a
temporary run file that the commit merges term by term.
"""
from __future__ import annotations

import heapq
import pickle
import struct
from array import array
from itertools import accumulate, groupby
from operator import itemgetter

from whoosh import writing
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.analysis import GramTokenizer, chars
from indexer.codec import BLOCKS_MAGIC, INLINE_LIMIT, TermInfo, block_bytes, inline_bytes
from indexer.formats import BulkFrequency, BulkPositions
from indexer.gramsort import GramPostings
from indexer.wordsort import WordPostings

#: Bytes a posting and a new term cost in the pool, about (for ``limitmb``).
_POSTING_BYTES = 16
_TERM_BYTES = 400
#: Terms per pickle in a run file.
_RUN_CHUNK = 4096
_key = itemgetter(0, 1)
#: Whoosh's term entry header (``W3TermInfo``).
_INFO = W3TermInfo._struct
#: Where a term's posting blocks are: offset and length (``W3TermInfo.to_bytes``).
_EXTENT = struct.Struct("!qi")


class TermPool:
    """Each field's terms, each with its postings' document numbers, weights
    and values in arrays; spilled to sorted run files past ``limitmb``."""

    def __init__(self, tempstore, limitmb: int, blocking: tuple[int, int]):
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        #: Postings per block and zlib level of the codec.
        self._blocking = blocking
        self._size = 0
        self._fields: dict[str, dict[bytes, tuple]] = {}
        self._runs: list[str] = []
        #: Fields sorted in bulk (``indexer.gramsort``, ``indexer.wordsort``) and their boost.
        self._bulk: dict[str, tuple[GramPostings | WordPostings, float]] = {}
        #: Fields given postings one by one (not only in bulk).
        self._posting_fields: set[str] = set()
        self.fieldnames: set[str] = set()

    def add_chars(self, fieldname: str, docnum: int, chars: str, boost: float) -> int:
        """Add one document's text to a character-pair field; the field length."""
        return self._bulk_field(fieldname, GramPostings, boost).add(docnum, chars)

    def add_counts(self, fieldname: str, docnum: int, counts: dict[str, int], boost: float) -> int:
        """Add one document's word counts to a word field; the field length."""
        return self._bulk_field(fieldname, WordPostings, boost).add(docnum, counts)

    def _bulk_field(self, fieldname: str, kind, boost: float):
        if fieldname not in self._bulk:
            self._bulk[fieldname] = (kind(), boost)
            self.fieldnames.add(fieldname)
        return self._bulk[fieldname][0]

    def add_field(self, fieldname: str, docnum: int, items) -> int:
        """Add one document's ``(term bytes, frequency, weight, value)`` postings
        for a field; the sum of their frequencies."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
            self._posting_fields.add(fieldname)
        total = size = 0
        for btext, freq, weight, vbytes in items:
            postings = terms.get(btext)
            if postings is None:
                postings = terms[btext] = (array("I"), array("f"), bytearray(), array("I"))
                size += _TERM_BYTES
            postings[0].append(docnum)
            postings[1].append(weight)
            if vbytes:
                postings[2].extend(vbytes)
                postings[3].append(len(vbytes))
                size += len(vbytes)
            total += freq
            size += _POSTING_BYTES
        self._grow(size)
        return total

    def add(self, item) -> None:
        """Whoosh's pool interface: one ``(field, term, doc, weight, value)``
        posting (segment merges add postings this way)."""
        fieldname, btext, docnum, weight, vbytes = item
        self.add_field(fieldname, docnum, ((btext, 0, weight, vbytes),))

    def _grow(self, size: int) -> None:
        self._size += size
        if self._size > self._limit:
            self._spill()

    def _spill(self) -> None:
        name = f"{writing.random_name()}.run"
        with self._tempstore.create_file(name).raw_file() as run:
            chunk = []
            for entry in self._sorted_terms():
                chunk.append((entry[0], entry[1], *(part.tobytes() if isinstance(part, array)
                                                     else bytes(part) for part in entry[2:])))
                if len(chunk) >= _RUN_CHUNK:
                    pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
        self._runs.append(name)
        self._fields = {}
        self._size = 0

    def _sorted_terms(self):
        for fieldname in sorted(self._fields):
            yield from self._field_terms(fieldname)

    def _field_terms(self, fieldname: str):
        terms = self._fields[fieldname]
        for btext in sorted(terms):
            yield (fieldname, btext, *terms[btext])

    def _read_run(self, name: str):
        with self._tempstore.open_file(name).raw_file() as run:
            while True:
                try:
                    chunk = pickle.load(run)
                except EOFError:
                    return
                for fieldname, btext, docs, weights, values, lengths in chunk:
                    yield (fieldname, btext, _array("I", docs), _array("f", weights),
                           bytearray(values), _array("I", lengths))

    def terms(self):
        """``(field, term, docs, weights, values, value lengths)`` for every
        term, in order, runs and memory merged."""
        if not self._runs and self._bulk.keys().isdisjoint(self._posting_fields):  # nothing to merge
            for fieldname in sorted(self.fieldnames):
                if fieldname in self._bulk:
                    bulk, boost = self._bulk[fieldname]
                    yield from bulk.terms(fieldname, boost, self._blocking)
                else:
                    yield from self._field_terms(fieldname)
            return
        sources = [bulk.terms(name, boost, self._blocking, entries=name not in self._posting_fields)
                   for name, (bulk, boost) in sorted(self._bulk.items())]
        sources += [self._read_run(name) for name in self._runs] + [self._sorted_terms()]
        for _, group in groupby(heapq.merge(*sources, key=_key), key=_key):
            parts = list(group)
            if len(parts) == 1:
                yield parts[0]
                continue
            # each part holds a stretch of documents (added in turn): join them in order
            parts.sort(key=lambda part: part[2][0])
            yield (*parts[0][:2], *(_joined([part[field] for part in parts], kind)
                                    for field, kind in ((2, "I"), (3, "f"), (4, None), (5, "I"))))

    def cleanup(self) -> None:
        for name in self._runs:
            self._tempstore.delete_file(name)
        self._runs = []
        self._fields = {}
        self._bulk = {}
        self._posting_fields = set()


def _joined(pieces: list, typecode: str | None):
    if typecode is None:
        return b"".join(pieces)
    joined = array(typecode)
    for piece in pieces:
        joined.extend(array(typecode, piece) if not isinstance(piece, array) else piece)
    return joined


def _array(typecode: str, data: bytes) -> array:
    numbers = array(typecode)
    numbers.frombytes(data)
    return numbers


class SegmentWriter(writing.SegmentWriter):
    """Whoosh's ``SegmentWriter`` with a ``TermPool`` and a posting writer that
    takes a term's postings at once. Needs ``indexer.codec.BulkCodec``."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling words are not supported")
        self.pool = TermPool(self._tempstorage, limitmb, (self.codec._blocklimit, self.codec._compression))

    def add_document(self, **fields):
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        writer = self.perdocwriter
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        writer.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if _is_grams(field):
                    length = self.pool.add_chars(name, docnum, chars(value), field.format.field_boost)
                elif isinstance(field.format, BulkFrequency) and hasattr(field.analyzer, "term_counts"):
                    length = self.pool.add_counts(name, docnum, field.analyzer.term_counts(value),
                                                  field.format.field_boost)
                elif field.indexed:
                    length = self.pool.add_field(name, docnum, field.index(value))
                if not field.scorable:
                    length = 0
                writer.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    writer.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            writer.cancel_doc()
            raise
        writer.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            _write_terms(self.fieldwriter, self.schema, lengths, self.pool.terms())
        finally:
            lengths.close()
        self.fieldwriter.close()


def _is_grams(field) -> bool:
    """Whether the field holds character pairs with positions (``indexer.gramsort``)."""
    return isinstance(field.analyzer, GramTokenizer) and isinstance(field.format, BulkPositions)


def _write_terms(fieldwriter, schema, reader, terms) -> None:
    """Write every term's postings and term entry through ``fieldwriter`` (a
    ``BulkCodec`` field writer)."""
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex
    compression = fieldwriter._codec._compression
    limit = fieldwriter.block_limit
    for fieldname, field_terms in groupby(terms, key=itemgetter(0)):
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        prefix = pack_ushort(fieldwriter._fieldid)
        fixed = fieldobj.format.fixed_value_size()
        variable = fixed is None or fixed < 0
        count = reader.doc_count_all()
        doc_lengths = [reader.doc_field_length(n, fieldname, 0) or 0 for n in range(count)]
        for item in field_terms:
            if len(item) == 3:  # a finished term entry (``indexer.gramsort``)
                table.add(prefix + item[1], item[2])
                continue
            if len(item) == 4:  # an entry's header and its finished posting blocks
                table.add(prefix + item[1], item[2] + _EXTENT.pack(postfile.tell(), len(item[3])))
                postfile.write(item[3])
                continue
            _, btext, docs, weights, values, value_lengths = item
            if len(docs) <= INLINE_LIMIT:  # the postings go in the term entry
                table.add(prefix + btext, _inline_entry(docs, weights, values, value_lengths,
                                                        fixed, doc_lengths))
                continue
            info = TermInfo()
            start_offset = postfile.tell()
            postfile.write(BLOCKS_MAGIC)
            ends = list(accumulate(value_lengths, initial=0)) if variable else None
            for start in range(0, len(docs), limit):
                end = min(start + limit, len(docs))
                block = _Block(docs[start:end], weights[start:end], doc_lengths)
                info.add_block(block)
                if variable:
                    block_values = value_lengths[start:end], bytes(values[ends[start]:ends[end]])
                else:
                    block_values = None, bytes(values[start * fixed:end * fixed])
                postfile.write(block_bytes(block.ids, block.weights, *block_values,
                                           block.max_weight(), block.min_length(),
                                           block.max_length(), compression, end == len(docs)))
            info.set_extent(start_offset, postfile.tell() - start_offset)
            table.add(prefix + btext, info.to_bytes())
        fieldwriter.finish_field()


def _inline_entry(docs, weights, values, value_lengths, fixed, doc_lengths) -> bytes:
    """A term entry holding its postings, as ``indexer.codec.TermInfo`` writes it."""
    lengths = [length for length in map(doc_lengths.__getitem__, docs) if length]
    if fixed is None or fixed < 0:
        ends = list(accumulate(value_lengths))
        pieces = [values[a:b] for a, b in zip([0, *ends], ends)]
    else:
        pieces = [values[a:a + fixed] for a in range(0, len(values), fixed)] if fixed else []
    header = _INFO.pack(1, sum(weights), len(docs), length_to_byte(min(lengths) if lengths else None),
                        length_to_byte(max(lengths, default=0)), max(0, *weights), docs[0], docs[-1])
    return header + inline_bytes(docs, weights, [bytes(piece) for piece in pieces])


class _Block:
    """A block's statistics, as Whoosh's ``TermInfo.add_block`` reads them."""

    __slots__ = ("ids", "weights", "_lengths")

    def __init__(self, ids: array, weights: array, doc_lengths: list[int]):
        self.ids = ids
        self.weights = weights
        self._lengths = [length for length in map(doc_lengths.__getitem__, ids) if length]

    @property
    def _weights(self):
        return self.weights

    def __len__(self):
        return len(self.ids)

    def min_id(self):
        return self.ids[0]

    def max_id(self):
        return self.ids[-1]

    def min_length(self):
        return min(self._lengths) if self._lengths else None

    def max_length(self):
        return max(self._lengths) if self._lengths else 0

    def max_weight(self):
        return max(self.weights)
