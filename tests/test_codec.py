"""The compact codec stores exactly the postings Whoosh's own codec stores."""

from __future__ import annotations

import random

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from indexer.codec import BulkCodec
from indexer.schema import article_schema


def build(path, codec, docs):
    path.mkdir()
    index = FileStorage(str(path)).create_index(article_schema())
    with index.writer(codec=codec) as writer:
        for number, text in enumerate(docs):
            writer.add_document(id=f"d{number}", title=text[:6], body=text, title_grams=text[:6],
                                body_grams=text, reporters="王明" if number % 7 else "")
    return index


def postings(index):
    """Every term's statistics and (document, weight, value) list, and a skip into it."""
    found = {}
    with index.reader() as reader:
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            items = []
            while matcher.is_active():
                # a format without values: Whoosh reads None, an inlined posting b""
                items.append((matcher.id(), round(matcher.weight(), 4), matcher.value() or None))
                matcher.next()
            skip = reader.postings(field, text)
            skip.skip_to(reader.doc_count_all() // 2)
            found[field, text] = (info.doc_frequency(), round(info.weight(), 4), info.max_weight(),
                                  info.min_length(), info.max_length(), items,
                                  skip.id() if skip.is_active() else None)
    return found


def test_postings_match_whooshs_own_codec(tmp_path):
    rng = random.Random(5)
    common = "新闻报道记者采访"
    docs = ["".join(rng.choice(common) for _ in range(rng.randint(5, 40)))
            + "".join(chr(rng.randint(0x4E00, 0x4E00 + 400)) for _ in range(rng.randint(0, 30)))
            for _ in range(400)]  # frequent terms span several 128-posting blocks, rare ones one document
    ours = postings(build(tmp_path / "ours", BulkCodec(), docs))
    whooshs = postings(build(tmp_path / "whoosh", W3Codec(), docs))
    assert ours == whooshs
    frequencies = [entry[0] for entry in ours.values()]
    assert min(frequencies) == 1 and max(frequencies) > 256


def test_segment_files_are_read_in_place_not_copied(tmp_path):
    import io

    from whoosh.filedb.compound import CompoundStorage

    index = build(tmp_path / "ours", BulkCodec(), ["第一篇正文", "第二篇"] * 50)
    segment = index._segments()[0]
    ours = segment.open_compound_file(index.storage)
    whooshs = CompoundStorage(index.storage.open_file(segment.make_filename(segment.COMPOUND_EXT)))
    for name in ours.list():
        mine, stock = ours.open_file(name), whooshs.open_file(name)
        assert not isinstance(mine.file, io.BytesIO) and isinstance(mine._buf, memoryview)
        assert mine.read(7) == stock.read(7) and mine.readline() == stock.readline()
        mine.seek(-3, 2), stock.seek(-3, 2)
        assert (mine.tell(), mine.read()) == (stock.tell(), stock.read())
    with index.searcher() as searcher:
        assert searcher.doc_count() == 100
        # the term dictionary reads its file through the same view, not a copy
        term_file = searcher.reader()._terms._tindex
        assert term_file._data.obj is term_file.dbfile._buf.obj


def test_skipping_lands_on_the_first_posting_at_or_after_the_target(tmp_path):
    rng = random.Random(8)
    docs = ["报道" if rng.random() < 0.6 else "新闻" for _ in range(1500)]  # 報道 spans several blocks
    index = build(tmp_path / "ix", BulkCodec(), docs)
    with index.reader() as reader:
        every = list(reader.postings("body", "报道").all_ids())
        assert len(every) > 3 * 128
        for start, target in [(0, 0), (0, 5), (0, 700), (3, 129), (200, 201), (10, every[-1]),
                              (0, every[-1] + 1), *((0, rng.randrange(1500)) for _ in range(50))]:
            matcher = reader.postings("body", "报道")
            matcher.skip_to(every[start])
            matcher.skip_to(target)
            expected = [doc for doc in every if doc >= max(target, every[start])]
            assert (matcher.id() if matcher.is_active() else None) == (expected[0] if expected else None)
            if expected:  # and reading on from there sees every later posting
                assert list(matcher.all_ids()) == expected


def test_postings_read_as_arrays_are_the_matchers(tmp_path):
    """``entry_postings`` gives the matcher's documents, weights and values;
    with ``within``, every posting of those documents and whole blocks only."""
    import numpy as np

    from indexer.codec import entry_postings, term_entry

    rng = random.Random(9)
    docs = ["".join(rng.choice("报道新闻记者") for _ in range(rng.randint(1, 30))) for _ in range(1600)]
    index = build(tmp_path / "ix", BulkCodec(), docs)
    with index.reader() as reader:
        for field, text in [("body", "报道"), ("body_grams", "报道"), ("body_grams", "闻记"), ("title", "记者")]:
            matcher = reader.postings(field, text)
            ids, weights, values = [], [], []
            while matcher.is_active():
                ids.append(matcher.id()), weights.append(matcher.weight()), values.append(matcher.value() or b"")
                matcher.next()
            assert len(ids) > 3 * 128 or field == "title"  # several blocks (a title's list: one)
            entry = term_entry(reader, field, text.encode())
            whole = entry_postings(reader, field, entry, values=True)
            assert whole.ids.tolist() == ids and whole.weights.tolist() == weights
            ends = np.cumsum(whole.lengths).tolist()
            assert [whole.values[end - length:end] for end, length in zip(ends, whole.lengths.tolist())] == values
            for wanted in ([ids[0]], [ids[-1]], rng.sample(ids, min(5, len(ids))), [max(ids) + 1]):
                within = np.array(sorted(wanted), dtype=np.int64)
                some = entry_postings(reader, field, entry, within).ids.tolist()
                assert set(ids) & set(wanted) <= set(some) <= set(ids)
                if len(wanted) == 1:
                    assert len(some) <= 128  # one block read, not the list
        assert term_entry(reader, "body", "不在".encode()) is None
