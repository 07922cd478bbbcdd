"""Writing a segment's postings in bulk, not a posting at a time.

Whoosh's ``SegmentWriter`` makes every posting a tuple (field, term,
document, weight, value), sorts all of them at commit (spilling sorted runs
to disk) and feeds them one by one through its field writer: tens of
microseconds per posting, and an article has over a thousand (a character
pair field alone has about 900). ``SegmentWriter`` here keeps the word
fields as numbered words and counts (``indexer.wordsort``) and the
character-pair fields as code points (``indexer.gramsort``); at commit both
are sorted with numpy and their term entries and posting blocks laid out in
bulk (``indexer.postblocks``). Other fields (ids, names, dates) go to a
``TermPool``: each term's postings in machine arrays; merged segments are
read back a term at a time (``indexer.merging``). Terms that come with
their postings are laid out in bulk too, a quarter million postings at a
time. The segment holds the same terms and postings as Whoosh's writer
would write (``tests/test_postings.py``).

Memory stays bounded: commits bound the bulk fields (a few bytes per
character), and past ``limitmb`` the pool writes its terms, sorted, to a
temporary run file that the commit merges term by term.
"""
from __future__ import annotations

import heapq
import pickle
from array import array
from itertools import groupby
from operator import itemgetter

import numpy as np
from whoosh import writing
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort

from indexer.analysis import chars
from indexer.codec import ENTRY_EXTENT, length_bytes_of
from indexer.formats import BulkFrequency
from indexer.gramsort import GramPostings
from indexer.merging import document_map, segment_terms
from indexer.postblocks import Postings, finished_terms
from indexer.schema import is_grams
from indexer.wordsort import WordPostings

#: Bytes a posting and a new term cost in the pool, about (for ``limitmb``).
_POSTING_BYTES = 16
_TERM_BYTES = 400
#: Terms per pickle in a run file.
_RUN_CHUNK = 4096
#: Postings laid out at a time when terms come with their postings.
_RUN_POSTINGS = 1 << 18
_key = itemgetter(0, 1)


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
        #: Merged segments' terms (``add_segment``).
        self._segments: list = []
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
                size += len(vbytes)
            postings[3].append(len(vbytes) if vbytes else 0)
            total += freq
            size += _POSTING_BYTES
        self._grow(size)
        return total

    def add_segment(self, terms, fieldnames) -> None:
        """Merge a segment's postings in (``indexer.merging.segment_terms``:
        renumbered, in term order) holding terms of ``fieldnames``."""
        self._segments.append(terms)
        self.fieldnames.update(fieldnames)
        self._posting_fields.update(fieldnames)

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
        term, in order, runs, merged segments and memory joined (or a
        finished entry, see ``indexer.postblocks.finished_terms``)."""
        if not self._runs and not self._segments and self._bulk.keys().isdisjoint(self._posting_fields):
            for fieldname in sorted(self.fieldnames):
                if fieldname in self._bulk:
                    bulk, boost = self._bulk[fieldname]
                    yield from bulk.terms(fieldname, boost, self._blocking)
                else:
                    yield from self._field_terms(fieldname)
            return
        sources = [bulk.terms(name, boost, self._blocking, entries=name not in self._posting_fields)
                   for name, (bulk, boost) in sorted(self._bulk.items())]
        sources += [self._read_run(name) for name in self._runs] + self._segments + [self._sorted_terms()]
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
        self._segments = []
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


class BulkWriting:
    """What a Whoosh ``SegmentWriter`` needs to write through a ``TermPool``
    and merge segments a term at a time (``indexer.merging``); call
    ``_use_term_pool`` once Whoosh's ``__init__`` has run."""

    def _use_term_pool(self, limitmb: int) -> None:
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling words are not supported")
        self.pool = TermPool(self._tempstorage, limitmb, (self.codec._blocklimit, self.codec._compression))
        self._merged_readers = []

    def write_per_doc(self, fieldnames, reader):
        """Whoosh's copy of a merged segment's stored fields, lengths and
        columns, with the fields' total lengths kept exact: Whoosh adds up the
        documents' lengths as stored (rounded to a byte), which makes the
        average lengths in BM25 grow with every merge."""
        totals = self.perdocwriter._fieldlengths
        before = dict(totals)
        docmap = super().write_per_doc(fieldnames, reader)
        if not reader.has_deletions():
            for name in fieldnames:
                if reader.field_length(name):
                    totals[name] = before.get(name, 0) + reader.field_length(name)
        return docmap

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """Whoosh's merge step: the segment's postings, read back a term at a
        time, except character-pair fields, computed again from their stored
        text (``_rebuilt_grams``)."""
        own = SegmentReader(self.storage, self.schema, reader.segment())  # the caller closes its reader
        self._merged_readers.append(own)
        numbers = document_map(own, startdoc, docmap)
        names = set(own.indexed_field_names()) & set(self.schema.names())
        names -= self._rebuilt_grams(own, numbers)
        self.pool.add_segment(segment_terms(own, self.schema, numbers, names), names)

    def _rebuilt_grams(self, reader, numbers: np.ndarray) -> set[str]:
        """Add the segment's documents to the character-pair fields whose text
        is stored in another field (``text_of``, see ``indexer.schema``), as
        new documents are added: the pairs of a whole merge are sorted at
        once (``indexer.gramsort``), about five times faster than merging
        their many short posting lists a term at a time. The fields so added."""
        sources = {name: (field.text_of, field.format.field_boost) for name, field in self.schema.items()
                   if is_grams(field) and getattr(field, "text_of", None) in self.schema
                   and self.schema[field.text_of].stored}
        for docnum, new in enumerate(numbers.tolist()):
            if new < 0:
                continue
            stored = reader.stored_fields(docnum)
            for name, (source, boost) in sources.items():
                if stored.get(source):
                    self.pool.add_chars(name, new, chars(stored[source]), boost)
        return set(sources)

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            _write_terms(self.fieldwriter, self.schema, lengths, self.pool.terms())
        finally:
            lengths.close()
            for reader in self._merged_readers:
                reader.close()
            self._merged_readers = []
        self.fieldwriter.close()


class SegmentWriter(BulkWriting, writing.SegmentWriter):
    """Whoosh's ``SegmentWriter`` with a ``TermPool`` and a posting writer that
    takes a term's postings at once. Needs ``indexer.codec.BulkCodec``."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._use_term_pool(limitmb)

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
                if is_grams(field):
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



def _write_terms(fieldwriter, schema, reader, terms) -> None:
    """Write every term's postings and term entry through ``fieldwriter`` (a
    ``BulkCodec`` field writer)."""
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex
    blocking = (fieldwriter.block_limit, fieldwriter._codec._compression)
    count = reader.doc_count_all()
    for fieldname, field_terms in groupby(terms, key=itemgetter(0)):
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        prefix = pack_ushort(fieldwriter._fieldid)
        fixed = fieldobj.format.fixed_value_size()
        stored = length_bytes_of(reader, fieldname) or bytes(count)
        doc_bytes = np.frombuffer(stored, dtype=np.uint8)
        for item in _laid_out(field_terms, fixed is not None and fixed >= 0, doc_bytes, blocking):
            if len(item) == 3:  # a finished term entry
                table.add(prefix + item[1], item[2])
            else:  # an entry's header and its finished posting blocks
                table.add(prefix + item[1], item[2] + ENTRY_EXTENT.pack(postfile.tell(), len(item[3])))
                postfile.write(item[3])
        fieldwriter.finish_field()


def _laid_out(items, fixed_size: bool, doc_bytes: np.ndarray, blocking: tuple[int, int]):
    """A field's ``TermPool.terms`` with every run of terms given as postings
    laid out in bulk (``indexer.postblocks``): finished entries only."""
    run: list[tuple] = []
    size = 0
    for item in items:
        if len(item) < 6:
            yield from _finished_run(run, fixed_size, doc_bytes, blocking)
            run, size = [], 0
            yield item
            continue
        run.append(item)
        size += len(item[2])
        if size >= _RUN_POSTINGS:
            yield from _finished_run(run, fixed_size, doc_bytes, blocking)
            run, size = [], 0
    yield from _finished_run(run, fixed_size, doc_bytes, blocking)


def _finished_run(run: list[tuple], fixed_size: bool, doc_bytes: np.ndarray, blocking: tuple[int, int]):
    if not run:
        return
    docs = np.frombuffer(b"".join(item[2].tobytes() for item in run), dtype=np.uint32).astype(np.int64)
    value_lengths = np.frombuffer(b"".join(item[5].tobytes() for item in run), dtype=np.uint32)
    value_lengths = value_lengths.astype(np.int64)
    first = np.cumsum([0] + [len(item[2]) for item in run[:-1]], dtype=np.int64)
    postings = Postings(
        docs=docs, weights=np.frombuffer(b"".join(item[3].tobytes() for item in run), dtype=np.float32),
        value_lengths=value_lengths, value_starts=np.cumsum(value_lengths) - value_lengths,
        values=np.frombuffer(b"".join(bytes(item[4]) for item in run), dtype=np.uint8),
        first=first, length_bytes=doc_bytes[docs], fixed_size=fixed_size)
    yield from finished_terms(run[0][0], [item[1] for item in run], postings, True, blocking)
