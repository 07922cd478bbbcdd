"""The term dictionary: sorted keys in small front-coded blocks.

Whoosh keeps a segment's terms in an ordered MD5 hash file: per term a
record header (8 bytes), two hash slots (24), a sorted index entry (4) and
the whole key. A character-pair field has over a million terms, most with a
posting or two, so that overhead was most of the file and 40% of an index.
Here each block of ``BLOCK_TERMS`` terms stores every key as the length it
shares with the key before and the rest, and every entry with its length
(varints); a lookup bisects the blocks' first keys, kept in memory, and
reads one block up to the key. The file is::

    magic | block | block | ... | index (pickle: first keys, offsets, extras) | index offset (8)

``TermsReader`` is Whoosh's ``W3TermsReader`` over this file, reading the
entries ``indexer.codec.TermInfo`` writes.
"""

from __future__ import annotations

import pickle
import struct
from bisect import bisect_left, bisect_right

from whoosh.codec.base import FieldCursor
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort

MAGIC = b"ZHT1"
#: Terms per block: a lookup decodes up to this many keys.
BLOCK_TERMS = 32
_TRAILER = struct.Struct("<q")
#: Keys whose lookup a reader remembers (found or not). A pasted paragraph
#: of 600 characters looks up ~3,000 keys, each about three times (the
#: rare-word filter, the ranking's entries, its bounds): 29,642 lookups of
#: 9,407 keys for ten of them on the dev index.
_CACHED_KEYS = 1 << 14
#: Bytes of blocks written at a time.
_PIECE = 1 << 20
_UNSEEN = object()


def _varint(number: int) -> bytes:
    out = bytearray()
    while number >= 0x80:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def _read_varint(data, position: int) -> tuple[int, int]:
    number = shift = 0
    while True:
        byte = data[position]
        position += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, position
        shift += 7


class TermFileWriter:
    """Writes keys (increasing) and their values; ``extras`` is saved with them."""

    def __init__(self, dbfile):
        self.dbfile = dbfile
        self.extras: dict = {}
        dbfile.write(MAGIC)
        self._written = len(MAGIC)
        self._buffer = bytearray()
        self._first_keys: list[bytes] = []
        self._offsets: list[int] = []
        self._in_block = 0
        self._last = b""

    def add(self, key: bytes, value: bytes) -> None:
        last = self._last
        if self._first_keys and key <= last:
            raise ValueError(f"keys must increase: {last!r}..{key!r}")
        buffer = self._buffer
        if self._in_block == BLOCK_TERMS or not self._first_keys:
            self._first_keys.append(key)
            self._offsets.append(self._written + len(buffer))
            self._in_block = 0
            shared = 0
        else:
            shared = 0
            limit = min(len(key), len(last))
            while shared < limit and key[shared] == last[shared]:
                shared += 1
        buffer += _varint(shared)
        buffer += _varint(len(key) - shared)
        buffer += key[shared:]
        buffer += _varint(len(value))
        buffer += value
        self._in_block += 1
        self._last = key
        if len(buffer) >= _PIECE:
            self._flush()

    def _flush(self) -> None:
        self.dbfile.write(bytes(self._buffer))
        self._written += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self._flush()
        self._offsets.append(self._written)  # where the last block ends
        index_at = self._written
        self.dbfile.write(pickle.dumps((self._first_keys, self._offsets, self.extras),
                                       pickle.HIGHEST_PROTOCOL))
        self.dbfile.write(_TRAILER.pack(index_at))
        self.dbfile.close()


class TermFileReader:
    """Reads what ``TermFileWriter`` wrote: lookups and ordered iteration."""

    def __init__(self, dbfile, length: int):
        self.dbfile = dbfile
        # a file read in place (``indexer.codec``) has its bytes as a view: no copy
        view = getattr(dbfile, "_buf", None)
        data = view[:length] if isinstance(view, memoryview) else memoryview(dbfile.get(0, length))
        if bytes(data[:len(MAGIC)]) != MAGIC:
            raise ValueError("not a zhsearch term file")
        index_at = _TRAILER.unpack_from(data, length - _TRAILER.size)[0]
        self._first_keys, self._offsets, self.extras = pickle.loads(data[index_at:length - _TRAILER.size])
        self._data = data
        self._found: dict[bytes, bytes | None] = {}

    def __len__(self) -> int:
        return len(self._first_keys)

    def _decode(self, number: int) -> tuple[list[bytes], list]:
        """Block ``number``'s keys and values."""
        data = bytes(self._data[self._offsets[number]:self._offsets[number + 1]])  # faster to index than the map
        position, end = 0, len(data)
        keys, values = [], []
        key = b""
        while position < end:
            shared, position = _read_varint(data, position)
            size, position = _read_varint(data, position)
            key = key[:shared] + data[position:position + size]
            position += size
            size, position = _read_varint(data, position)
            keys.append(key)
            values.append(data[position:position + size])
            position += size
        return keys, values

    def get(self, key: bytes, default=None):
        found = self._found.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._find(key)
            if len(self._found) >= _CACHED_KEYS:
                self._found.clear()
            self._found[key] = found
        return default if found is None else found

    def _find(self, key: bytes) -> bytes | None:
        """The key's value, read from its block up to the key; ``None`` if absent."""
        number = bisect_right(self._first_keys, key) - 1
        if number < 0:
            return None
        data = bytes(self._data[self._offsets[number]:self._offsets[number + 1]])
        position, end = 0, len(data)
        found = b""
        while position < end:
            shared = data[position]  # key and value sizes are mostly under 128: one varint byte
            if shared < 0x80:
                position += 1
            else:
                shared, position = _read_varint(data, position)
            size = data[position]
            if size < 0x80:
                position += 1
            else:
                size, position = _read_varint(data, position)
            found = found[:shared] + data[position:position + size]
            position += size
            size = data[position]
            if size < 0x80:
                position += 1
            else:
                size, position = _read_varint(data, position)
            if found >= key:
                return data[position:position + size] if found == key else None
            position += size
        return None

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def items_from(self, key: bytes = b""):
        """``(key, value)`` of every key from ``key`` on, in order."""
        number = max(bisect_right(self._first_keys, key) - 1, 0)
        for block in range(number, len(self._first_keys)):
            keys, values = self._decode(block)
            start = bisect_left(keys, key) if block == number else 0
            yield from zip(keys[start:], values[start:])

    def items(self):
        return self.items_from(b"")

    def keys(self):
        return (key for key, _ in self.items())

    def keys_from(self, key: bytes):
        return (found for found, _ in self.items_from(key))

    def close(self) -> None:
        self._found.clear()
        self._data = None
        self.dbfile.close()


class TermsReader(W3TermsReader):
    """Whoosh's terms reader over a ``TermFileReader``; entries are ``term_info``'s class."""

    def __init__(self, codec, dbfile, length, postfile, term_info):
        self._codec = codec
        self._dbfile = dbfile
        self._tindex = TermFileReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._info = term_info
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, number in self._fieldmap.items():
            self._fieldunmap[number] = fieldname

    def cursor(self, fieldname, fieldobj):
        return _Cursor(self, fieldname, fieldobj)

    def items(self):
        return ((self._keydecoder(key), self._info.from_bytes(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname, prefix):
        return ((self._keydecoder(key), self._info.from_bytes(value))
                for key, value in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def _entry(self, fieldname, tbytes) -> bytes:
        """The term's entry; ``KeyError`` (what Whoosh's readers expect) if none."""
        return self._tindex[self._keycoder(fieldname, tbytes)]

    def term_info(self, fieldname, tbytes):
        try:
            return self._info.from_bytes(self._entry(fieldname, tbytes))
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def frequency(self, fieldname, tbytes):
        return self._info.weight_of(self._entry(fieldname, tbytes))

    def doc_frequency(self, fieldname, tbytes):
        return self._info.doc_frequency_of(self._entry(fieldname, tbytes))


class _Cursor(FieldCursor):
    """A field's terms in order (Whoosh's ``FieldCursor``)."""

    def __init__(self, terms: TermsReader, fieldname: str, fieldobj):
        self._terms = terms
        self._fieldname = fieldname
        self._fieldobj = fieldobj
        self._prefix = pack_ushort(terms._fieldmap.get(fieldname, 65535))
        self.first()

    def first(self):
        return self.find(b"")

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._items = self._terms._tindex.items_from(self._prefix + term)
        return self.next()

    def next(self):
        key, self._value = next(self._items, (None, None))
        if key is None or not key.startswith(self._prefix):
            self._text = self._value = None
        else:
            self._text = self._fieldobj.from_bytes(key[len(self._prefix):])
        return self._text

    def text(self):
        return self._text

    def term_info(self):
        return None if self._value is None else self._terms._info.from_bytes(self._value)

    def is_valid(self):
        return self._text is not None
