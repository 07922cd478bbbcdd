"""Our segment writer (terms gathered in arrays, character pairs sorted with
numpy) stores exactly the postings Whoosh's own writer stores."""

from __future__ import annotations

import random

import pytest
from whoosh.filedb.filestore import FileStorage

from indexer import gramsort
from indexer.codec import BulkCodec
from indexer.postings import SegmentWriter
from indexer.schema import article_schema
from tests.test_codec import postings


def _docs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    common = "新闻报道记者采访 "
    return ["".join(rng.choice(common) for _ in range(rng.randint(1, 40)))
            + "".join(chr(rng.randint(0x4E00, 0x4E00 + 400)) for _ in range(rng.randint(0, 30)))
            for _ in range(count)]


def _add(writer, number: int, text: str) -> None:
    writer.add_document(id=f"d{number}", title=text[:6], body=text, title_grams=text[:6],
                        body_grams=text, reporters="王明" if number % 7 else "",
                        date=20200101 + number % 20, paper="人民日报")


def _build(path, docs, ours: bool, **options):
    path.mkdir()
    index = FileStorage(str(path)).create_index(article_schema())
    writer = SegmentWriter(index, codec=BulkCodec(), **options) if ours else index.writer(codec=BulkCodec())
    for number, text in enumerate(docs):
        _add(writer, number, text)
    writer.commit()
    return index


@pytest.mark.parametrize("options", [{}, {"limitmb": 0.02}], ids=["in memory", "spilled runs"])
def test_same_postings_as_whooshs_writer(tmp_path, options):
    docs = _docs(5, 400)  # frequent terms span several blocks, rare ones are inlined
    ours = postings(_build(tmp_path / "ours", docs, True, **options))
    assert ours == postings(_build(tmp_path / "whoosh", docs, False))
    frequencies = [entry[0] for entry in ours.values()]
    assert min(frequencies) == 1 and max(frequencies) > 256


def test_long_texts_and_key_ranges(tmp_path, monkeypatch):
    # positions 65,536 apart need 32-bit deltas; a small sort range splits the keys
    monkeypatch.setattr(gramsort, "_PART", 64)
    docs = _docs(7, 30) + ["报" + "道" * 70000 + "报记者", "一"]
    ours = postings(_build(tmp_path / "ours", docs, True))
    assert ours == postings(_build(tmp_path / "whoosh", docs, False))
    assert ("body_grams", "报记".encode()) in ours


def test_segments_merged_into_a_new_one(tmp_path):
    """A commit that also merges older segments (postings added one by one
    next to the sorted character pairs) still writes every posting once, in order."""
    docs = _docs(9, 120)
    index = _segments(tmp_path / "merged", docs[:80], 20)
    writer = SegmentWriter(index, codec=BulkCodec())
    for number in range(80, 120):
        _add(writer, number, docs[number])
    writer.commit(optimize=True)
    assert len(index._segments()) == 1
    whole = _build(tmp_path / "whole", docs, False)
    assert _by_id(index) == _by_id(whole)
    with index.reader() as merged, whole.reader() as built:
        for name in ("title", "body", "title_grams", "body_grams"):
            assert merged.field_length(name) == built.field_length(name)


def _segments(path, docs: list[str], size: int):
    """An index of ``docs`` committed ``size`` at a time, without merging."""
    path.mkdir()
    index = FileStorage(str(path)).create_index(article_schema())
    for start in range(0, len(docs), size):
        writer = SegmentWriter(index, codec=BulkCodec())
        for number in range(start, min(start + size, len(docs))):
            _add(writer, number, docs[number])
        writer.commit(merge=False)
    return index


def _by_id(index) -> dict:
    """Each term's (article id, weight, value) postings: document numbers
    depend on the order segments were merged in."""
    with index.reader() as reader:
        ids = {number: fields["id"] for number, fields in reader.iter_docs()}
    return {term: (entry[0], round(entry[1], 4), sorted((ids[doc], weight, value) for doc, weight, value in entry[5]))
            for term, entry in postings(index).items()}


def test_merge_drops_deleted_articles_and_keeps_length_totals(tmp_path):
    """Merging reads each segment's postings back a term at a time: deleted
    articles are dropped, the rest renumbered."""
    docs = _docs(11, 90)
    index = _segments(tmp_path / "merged", docs, 30)
    gone = {3, 31, 32, 89}
    writer = SegmentWriter(index, codec=BulkCodec())
    for number in gone:
        writer.delete_by_term("id", f"d{number}")
    writer.commit(merge=False)
    writer = SegmentWriter(index, codec=BulkCodec())
    writer.commit(optimize=True)
    assert len(index._segments()) == 1
    kept = tmp_path / "kept"
    kept.mkdir()
    whole = FileStorage(str(kept)).create_index(article_schema())
    writer = whole.writer(codec=BulkCodec())
    for number, text in enumerate(docs):
        if number not in gone:
            _add(writer, number, text)
    writer.commit()
    assert _by_id(index) == _by_id(whole)
    with index.reader() as reader:
        assert reader.doc_count_all() == 86
