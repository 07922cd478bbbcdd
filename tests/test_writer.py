"""Incremental, safe indexing from Python and from files."""

from __future__ import annotations

import gzip
import json

import pytest

from indexer.records import RecordError, article_from_record
from indexer.writer import add_articles, index_paths
from query import Index, IndexVersionError


def test_reindexing_the_same_records_changes_nothing(tmp_path):
    records = [{"id": "x1", "title": "标题一", "body": "正文一"}, {"id": "x2", "body": "正文二"}]
    assert add_articles(tmp_path, records).added == 2
    again = add_articles(tmp_path, records)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert Index.open(tmp_path).stats()["articles"] == 2


def test_an_edited_record_replaces_the_old_one(tmp_path):
    add_articles(tmp_path, [{"id": "x1", "body": "旧的正文"}])
    report = add_articles(tmp_path, [{"id": "x1", "body": "新的正文"}])
    assert report.updated == 1
    index = Index.open(tmp_path)
    assert index.search('"旧的"').total == 0
    assert index.search('"新的"').total == 1
    assert index.stats()["articles"] == 1


def test_records_without_id_get_a_stable_content_id(tmp_path):
    record = {"title": ["引题", "主题"], "body": "没有编号的文章"}
    add_articles(tmp_path, [record])
    add_articles(tmp_path, [dict(record)])
    index = Index.open(tmp_path)
    assert index.stats()["articles"] == 1
    assert index.search("编号").hits[0].id.startswith("h")


def test_duplicate_ids_in_one_batch_keep_the_last(tmp_path):
    add_articles(tmp_path, [{"id": "d", "body": "第一版本"}, {"id": "d", "body": "第二版本"}])
    index = Index.open(tmp_path)
    assert index.stats()["articles"] == 1
    assert index.get("d").body == "第二版本"


def test_bad_record_raises_and_commits_nothing(tmp_path):
    with pytest.raises(RecordError, match="body"):
        add_articles(tmp_path, [{"id": "ok", "body": "好"}, {"id": "bad", "title": "无正文"}])


def test_jsonl_files_and_folders(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps({"id": "j1", "body": "甲文章", "date": "2020-01-02", "paper": "人民日报", "page": 3},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "j2", "title": "乙", "body": "乙文章"}, ensure_ascii=False) + "\n")
    report = index_paths([folder], tmp_path / "ix")
    assert (report.added, report.files, report.problems) == (2, 2, [])
    assert index_paths([folder], tmp_path / "ix").unchanged == 2
    hit = Index.open(tmp_path / "ix").search("甲文章").hits[0]
    assert (hit.paper, hit.page, hit.date.isoformat()) == ("人民日报", 3, "2020-01-02")


def test_a_gzip_file_is_read_whatever_its_name(tmp_path):
    with gzip.open(tmp_path / "exported.jsonl", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "z1", "body": "压缩的文章"}, ensure_ascii=False) + "\n")
    (tmp_path / "plain.jsonl.gz").write_text(json.dumps({"id": "z2", "body": "没有压缩"}, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    report = index_paths([tmp_path / "exported.jsonl", tmp_path / "plain.jsonl.gz"], tmp_path / "ix")
    assert (report.added, report.problems) == (2, [])


def test_a_file_with_bad_lines_is_reported_and_skipped(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": "g", "body": "好的"}\n{not json\n{"id": "n"}\n', encoding="utf-8")
    report = index_paths([source], tmp_path / "ix")
    assert report.added == 0
    assert [p.line for p in report.problems if p.line] == [2, 3]
    assert "no 'body'" in str(report.problems[1])
    report = index_paths([source], tmp_path / "ix", skip_bad=True)
    assert report.added == 1


def test_a_lone_surrogate_is_a_bad_record_not_a_crash(tmp_path):
    source = tmp_path / "surrogate.jsonl"
    source.write_text('{"id": "s1", "body": "正文\\ud800内容"}\n{"id": "s2", "body": "好的"}\n', encoding="utf-8")
    report = index_paths([source], tmp_path / "ix")
    assert report.added == 0 and [p.line for p in report.problems] == [1]
    assert "lone surrogate (U+D800) at character 2" in str(report.problems[0])
    assert index_paths([source], tmp_path / "ix", skip_bad=True).added == 1


def test_records_removed_from_a_file_leave_the_index(tmp_path):
    source = tmp_path / "a.jsonl"
    source.write_text('{"id": "k1", "body": "一"}\n{"id": "k2", "body": "二"}\n', encoding="utf-8")
    index_paths([source], tmp_path / "ix")
    source.write_text('{"id": "k1", "body": "一"}\n', encoding="utf-8")
    assert index_paths([source], tmp_path / "ix").deleted == 1
    assert Index.open(tmp_path / "ix").stats()["articles"] == 1


def test_an_index_from_another_version_asks_for_a_rebuild(tmp_path):
    add_articles(tmp_path, [{"id": "v", "body": "版本"}])
    (tmp_path / "zhsearch.json").write_text('{"schema": 0}', encoding="utf-8")
    with pytest.raises(IndexVersionError, match="rebuild"):
        Index.open(tmp_path)
    with pytest.raises(IndexVersionError):
        add_articles(tmp_path, [{"id": "w", "body": "再"}])
    report = index_paths([], tmp_path, rebuild=True)
    assert report.added == 0 and Index.open(tmp_path).stats()["articles"] == 0


def test_user_dictionary_keeps_names_whole_and_is_fingerprinted(tmp_path):
    from indexer import segment
    from indexer.analysis import words

    records = [{"id": "u1", "body": "区委书记李志龙出席会议。"}, {"id": "u2", "body": "李先生和龙志强见面。"}]
    (tmp_path / "names.txt").write_text("# names\n李志龙 10 nr\n", encoding="utf-8")
    names = ("李志龙",)
    try:
        add_articles(tmp_path / "plain", records)
        assert "李志龙" not in words("李志龙出席")
        report = index_paths([], tmp_path / "ix", user_words=names)
        assert report.added == 0
        index = Index.open(tmp_path / "ix")
        assert "李志龙" in words("李志龙出席")
        add_articles(tmp_path / "ix", records)
        assert [h.id for h in Index.open(tmp_path / "ix").search("李志龙").hits] == ["u1"]
        with pytest.raises(IndexVersionError, match="user dictionary"):
            index_paths([], tmp_path / "ix", user_words=("王凯",))
        assert index_paths([], tmp_path / "ix", user_words=names).added == 0
        (tmp_path / "ix" / "userdict.txt").write_text("王凯\n", encoding="utf-8")
        with pytest.raises(IndexVersionError, match="does not match"):
            Index.open(tmp_path / "ix")
        Index.open(tmp_path / "plain")
        assert "李志龙" not in words("李志龙出席")
        assert index.path.name == "ix"
    finally:
        segment.use_words(())


def test_records_without_staff_fields_get_them_from_the_byline(tmp_path):
    add_articles(tmp_path, [
        {"id": "b1", "body": "本报北京1月7日电 （记者王伟健）今天召开会议。\n第二段。"},
        {"id": "b2", "body": "新华社北京12月31日电（记者邹伟、王思北）晚会举行。", "reporters": ["编辑部"]},
        {"id": "b3", "body": "没有署名的文章。"},
    ])
    index = Index.open(tmp_path)
    assert [h.id for h in index.search("记者:王伟健").hits] == ["b1"]
    assert index.get("b1").fields["agency"] == "本报" and index.get("b1").fields["place"] == "北京"
    assert index.search("记者:邹伟").total == 0
    assert [h.id for h in index.search("记者:编辑部").hits] == ["b2"]


def test_commits_grow_with_the_run(tmp_path):
    from whoosh import index as whoosh_index

    from indexer.writer import IndexWriter

    records = [{"id": f"g{n}", "body": f"第{n}篇正文"} for n in range(300)]
    with IndexWriter(tmp_path, batch_size=10) as writer:
        sizes = []
        for record in records:
            writer.add(article_from_record(record))
            if writer.report.committed > sum(sizes):
                sizes.append(writer.report.committed - sum(sizes))
    # 10 first, then as many as committed so far, at most two first batches
    assert sizes == [10] + [10] + [20] * 14
    # 16 commits, then one more at the end merges the run's segments into one
    written = whoosh_index.open_dir(str(tmp_path))
    assert written.latest_generation() == 17 and len(written._segments()) == 1
    assert Index.open(tmp_path).stats()["articles"] == 300


def test_an_unchanged_file_is_not_read_again(tmp_path, monkeypatch):
    import indexer.writer as writer_module

    source = tmp_path / "a.jsonl"
    source.write_text('{"id": "u1", "body": "第一篇"}\n{"id": "u2", "body": "第二篇"}\n', encoding="utf-8")
    assert index_paths([source], tmp_path / "ix").added == 2
    real = writer_module.read_records

    def unread(path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(writer_module, "read_records", unread)
    report = index_paths([source], tmp_path / "ix")
    assert (report.unchanged, report.files, report.added) == (2, 1, 0)
    # new bytes: the file is read again and only the changed article rewritten
    monkeypatch.setattr(writer_module, "read_records", real)
    source.write_text('{"id": "u1", "body": "第一篇"}\n{"id": "u2", "body": "改过的第二篇"}\n', encoding="utf-8")
    report = index_paths([source], tmp_path / "ix")
    assert (report.unchanged, report.updated) == (1, 1)
    assert Index.open(tmp_path / "ix").get("u2").body == "改过的第二篇"


def test_commits_merge_only_small_segments(tmp_path):
    from whoosh import index as whoosh_index

    from indexer import writer as writer_module
    from indexer.writer import IndexWriter

    def segment_sizes():
        return sorted(s.doc_count() for s in whoosh_index.open_dir(str(tmp_path))._segments())

    with IndexWriter(tmp_path, batch_size=2000) as writer:  # one large segment
        for n in range(1200):
            writer.add(article_from_record({"id": f"big{n}", "body": "大"}, source="big.jsonl"))
    for run in range(5):  # small runs: once four small segments exist, the next commit merges them
        with IndexWriter(tmp_path) as writer:
            for n in range(3):
                writer.add(article_from_record({"id": f"s{run}-{n}", "body": f"小{run}"}, source=f"{run}.jsonl"))
    assert segment_sizes() == [15, 1200]
    assert writer_module.MERGE_DOCS < 1200 and Index.open(tmp_path).stats()["articles"] == 1215


def test_articles_without_a_source_in_several_commits(tmp_path):
    """Records added through the library carry no source file: an index of
    several segments of them still opens for writing and searching."""
    for number, body in enumerate(["杭州亚运会", "杭州西湖", "西湖"]):
        add_articles(tmp_path / "ix", [{"id": f"a{number}", "body": body}])
    report = add_articles(tmp_path / "ix", [{"id": "a0", "body": "杭州亚运会"}])
    assert report.unchanged == 1
    assert sorted(hit.id for hit in Index.open(tmp_path / "ix").search("杭州").hits) == ["a0", "a1"]


def test_a_run_merges_the_segments_it_wrote(tmp_path, monkeypatch):
    """Full groups of the run's segments are merged as the run goes, the rest
    when it ends; segments of earlier runs and merged ones of MERGE_LIMIT
    articles stay as they are; optimize merges across runs."""
    from whoosh import index as whoosh_index

    from indexer import writer as writer_module
    from indexer.writer import IndexWriter, optimize_index

    def segment_sizes():
        return sorted(s.doc_count() for s in whoosh_index.open_dir(str(tmp_path))._segments())

    monkeypatch.setattr(writer_module, "MERGE_LIMIT", 45)
    monkeypatch.setattr(writer_module, "MERGE_DOCS", 2)  # no merging of small segments here
    monkeypatch.setattr(writer_module, "MAX_BATCHES", 4)
    merges = []
    with IndexWriter(tmp_path) as writer:
        for n in range(5):
            writer.add(article_from_record({"id": f"old{n}", "body": "旧文"}))
    with IndexWriter(tmp_path, batch_size=10, on_merge=merges.append) as writer:
        for n in range(100):  # commits of 10, 10, 20, 40 and the last 20 at the end
            writer.add(article_from_record({"id": f"new{n}", "body": f"第{n}篇新文"}))
            if n == 79:  # 10 + 10 + 20 merged once the next 40 made a second group
                assert segment_sizes() == [5, 40, 40]
    # at the end the last 20 make a group of their own: 20 + 40 > 45
    assert merges == [40] and segment_sizes() == [5, 20, 40, 40]
    assert optimize_index(tmp_path) == (4, 3) and segment_sizes() == [25, 40, 40]
    assert Index.open(tmp_path).stats()["articles"] == 105


def test_a_worker_forked_after_its_parent_died_exits_at_once():
    """``PR_SET_PDEATHSIG`` cannot fire for a parent already gone (killed
    between the fork and the call): the worker sees it has another parent."""
    import os

    from indexer.parallel import _die_with_parent

    for parent, code in ((os.getpid(), 0), (-1, 1)):
        child = os.fork()
        if child == 0:
            _die_with_parent(parent)
            os._exit(0)
        assert os.waitpid(child, 0)[1] >> 8 == code
