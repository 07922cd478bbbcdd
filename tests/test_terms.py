"""The term dictionary (``indexer.terms``): front-coded blocks read back exactly."""

from __future__ import annotations

import random

import pytest
from whoosh.filedb.filestore import RamStorage

from indexer import terms
from indexer.terms import TermFileReader, TermFileWriter


def _keys(count: int) -> list[bytes]:
    rng = random.Random(3)
    words = {bytes([0, rng.randint(0, 2)]) + "".join(chr(rng.randint(0x4E00, 0x4E40))
                                                     for _ in range(rng.randint(1, 3))).encode()
             for _ in range(count)}
    return sorted(words)


def _value(number: int) -> bytes:
    """Empty, short, and now and then long enough for a three-byte length."""
    return number.to_bytes(3, "big") * (number % 5 if number % 101 else 7000)


def _written(keys: list[bytes], storage) -> TermFileReader:
    writer = TermFileWriter(storage.create_file("t.trm"))
    writer.extras["fieldmap"] = {"a": 0}
    for number, key in enumerate(keys):
        writer.add(key, _value(number))
    writer.close()
    return TermFileReader(storage.open_file("t.trm"), storage.file_length("t.trm"))


def test_every_key_found_with_its_value_and_absent_keys_not(monkeypatch):
    monkeypatch.setattr(terms, "_PIECE", 64)  # written in many pieces
    keys = _keys(3000)
    reader = _written(keys, RamStorage())
    assert len(reader) == -(-len(keys) // terms.BLOCK_TERMS)
    assert reader.extras == {"fieldmap": {"a": 0}}
    for number, key in enumerate(keys):
        assert reader[key] == _value(number)
    present = set(keys)
    for probe in (b"", b"\x00", keys[0][:-1], keys[-1] + b"\x00", b"\xff\xff",
                  *(key + b"x" for key in keys[::97])):
        assert (probe in reader) == (probe in present)
        if probe not in present:
            with pytest.raises(KeyError):
                reader[probe]


def test_ordered_iteration_from_any_key():
    keys = _keys(1000)
    reader = _written(keys, RamStorage())
    assert list(reader.keys()) == keys
    for probe in (b"", keys[0], keys[31], keys[32], keys[33] + b"\x00", keys[-1], keys[-1] + b"!"):
        assert list(reader.keys_from(probe)) == [key for key in keys if key >= probe]


def test_keys_must_increase():
    writer = TermFileWriter(RamStorage().create_file("t.trm"))
    writer.add(b"\x00b", b"")
    with pytest.raises(ValueError):
        writer.add(b"\x00a", b"")
    with pytest.raises(ValueError):
        writer.add(b"\x00b", b"")


def test_an_index_reads_its_fields_terms_through_it(tmp_path):
    from query import Index
    from indexer.writer import add_articles

    add_articles(tmp_path / "ix", [{"id": f"a{n}", "title": "标题", "body": body}
                                   for n, body in enumerate(["杭州亚运会开幕", "杭州西湖", "亚运会"])])
    reader = Index.open(tmp_path / "ix")._searcher().reader()
    lexicon = list(reader.lexicon("body"))
    assert lexicon == sorted(lexicon)
    assert {"杭州".encode(), "亚运会".encode(), "西湖".encode()} <= set(lexicon)
    assert reader.doc_frequency("body", "杭州") == 2
    assert reader.doc_frequency("body", "没有") == 0
    assert reader.frequency("body", "亚运会") == 2.0
    cursor = reader.cursor("body_grams")
    texts = []
    while cursor.is_valid():
        texts.append(cursor.text())
        cursor.next()
    assert texts == sorted(texts) and "杭州" in texts and "州西" in texts
    assert cursor.find("州") == "州亚"
