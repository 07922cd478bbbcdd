"""Whoosh's segment format (``W3Codec``), written with less work per posting.

Reading is Whoosh's own; the files are the same. Writing a segment spends
most of its time on two per-posting costs that this codec removes:

* the length of the posting's field in its document was read back from the
  segment's length column on disk for every posting — here each field's
  column is read once per flush;
* every posting was type-checked with ``assert`` statements.

Segments record their codec, so the class is pickled into the index: keep its
import path stable.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter


class BulkCodec(W3Codec):
    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


class _FieldWriter(W3FieldWriter):
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

