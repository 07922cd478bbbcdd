"""The command line, through typer's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from query.cli import app
from tests.conftest import ARTICLES, SEED_PAGE

runner = CliRunner()


@pytest.fixture(scope="module")
def jsonl_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    index = folder / "index"
    result = runner.invoke(app, ["index", str(source), "--index", str(index), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output
    return index


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_reindex_adds_nothing(jsonl_index):
    source = jsonl_index.parent / "articles.jsonl"
    result = run("index", source, "--index", jsonl_index, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 5)


def test_search_prints_ranked_hits(jsonl_index):
    result = run("search", "浙商银行", "--index", jsonl_index)
    assert result.exit_code == 0, result.output
    assert "我区与浙商银行签署战略合作协议" in result.output
    assert "拱墅报" in result.output and "2022-12-15" in result.output


def test_search_json(jsonl_index):
    result = run("search", '"农业发展银行"', "--index", jsonl_index, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 2
    hit = {h["id"]: h for h in data["hits"]}["a5"]
    assert set(hit) >= {"id", "score", "title", "paper", "date", "page", "snippet", "highlights"}
    body = next(a["body"] for a in ARTICLES if a["id"] == "a5")
    assert [body[s:e] for s, e in hit["highlights"]] == ["农业发展银行"]


def test_search_limit_offset(jsonl_index):
    every = json.loads(run("search", "银行", "-i", jsonl_index, "--json").output)
    page = json.loads(run("search", "银行", "-i", jsonl_index, "--json", "--limit", "1", "--offset", "1").output)
    assert page["total"] == every["total"] == 3
    assert [h["id"] for h in page["hits"]] == [every["hits"][1]["id"]]


@pytest.mark.parametrize("query", ['"unbalanced', "foo:bar", "(亚运", "date:2020-13"])
def test_bad_query_is_one_line_and_exit_2(jsonl_index, query):
    result = run("search", query, "--index", jsonl_index)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_hits_and_fail_on_empty(jsonl_index):
    assert run("search", "龘靐齉", "-i", jsonl_index).exit_code == 0
    assert run("search", "龘靐齉", "-i", jsonl_index, "--fail-on-empty").exit_code == 1
    assert json.loads(run("search", "，。", "-i", jsonl_index, "--json").output)["total"] == 0


def test_missing_index_says_how_to_build_one(tmp_path):
    result = run("search", "拱墅", "--index", tmp_path / "none")
    assert result.exit_code == 3
    assert "zhsearch index" in result.output


def test_default_index_from_environment(jsonl_index, monkeypatch):
    monkeypatch.setenv("ZHSEARCH_INDEX", str(jsonl_index))
    assert run("search", "霹雳舞").exit_code == 0
    assert json.loads(run("stats", "--json").output)["articles"] == 5


def test_show_and_stats(jsonl_index):
    result = run("show", "a2", "--index", jsonl_index)
    assert result.exit_code == 0
    assert "争分夺秒冲刺半个月" in result.output and "稳进提质专题工作会" in result.output
    assert run("show", "nope", "--index", jsonl_index).exit_code == 2
    stats = json.loads(run("stats", "--index", jsonl_index, "--json").output)
    assert stats["articles"] == 5
    assert stats["papers"] == ["人民日报", "拱墅报"]
    assert (stats["first_date"], stats["last_date"]) == ("2020-03-02", "2022-12-15")


def test_every_command_has_help():
    for command in ([], ["index"], ["search"], ["show"], ["stats"], ["parse"], ["similar"], ["optimize"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_a_search_loads_neither_the_segmenter_nor_pydantic(jsonl_index):
    """A search from a new process leaves out rjieba/jieba (their dictionary
    loads in 0.2 s; ``indexer.dictionary`` splits the query) and pydantic
    (typer 0.29 validates options with it: 0.25 s)."""
    code = ("import sys; from query.cli import app; "
            f"app(['search', '浙商银行', '--index', {str(jsonl_index)!r}], standalone_mode=False); "
            "print(sorted({'jieba', 'rjieba', 'pydantic'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "我区与浙商银行签署战略合作协议" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_bundled_sample_page_is_searchable(tmp_path):
    result = run("index", SEED_PAGE.parent, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    data = json.loads(run("search", "浙商银行", "--index", tmp_path / "ix", "--json").output)
    assert data["total"] == 1
    hit = data["hits"][0]
    assert (hit["title"], hit["paper"], hit["date"], hit["page"]) == (
        "我区与浙商银行签署战略合作协议", "拱墅报", "2022-12-15", 1)
    assert "浙商银行" in hit["snippet"]
    for query in ("记者:郑斌", "冲刺半个月", '"周伟新"'):
        found = json.loads(run("search", query, "--index", tmp_path / "ix", "--json").output)
        assert found["total"] >= 1, query


def test_userdict_option(tmp_path):
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "n", "body": "书记李志龙出席。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("index", source, "-i", tmp_path / "ix", "--userdict", tmp_path / "missing.txt").exit_code == 2
    (tmp_path / "names.txt").write_text("李志龙\n", encoding="utf-8")
    try:
        assert run("index", source, "-i", tmp_path / "ix", "--userdict", tmp_path / "names.txt").exit_code == 0
        (tmp_path / "other.txt").write_text("王凯\n", encoding="utf-8")
        result = run("index", source, "-i", tmp_path / "ix", "--userdict", tmp_path / "other.txt")
        assert result.exit_code == 3 and "rebuild" in result.output
    finally:
        from indexer import segment

        segment.use_words(())


def test_optimize_merges_segments_and_keeps_results(tmp_path, monkeypatch):
    from indexer import writer as writer_module
    from indexer.writer import MERGE_LIMIT
    from tests.test_reliability import make_records, write_jsonl

    monkeypatch.setattr(writer_module, "MERGE_DOCS", 0)  # no merging of small segments by commits

    records = make_records(300, seed=9)
    index = tmp_path / "ix"
    for part in range(3):  # a run merges its own segments: three runs leave three
        source = write_jsonl(tmp_path / f"{part}.jsonl", records[part * 100:part * 100 + 100])
        assert run("index", source, "--index", index, "--jobs", 2, "--batch", 30).exit_code == 0
    body = records[0]["body"]
    queries = ["报:测试报", f'"{body[:3]}"', body[5:7], f"日期:2020-03 -{body[0]}"]
    before = [json.loads(run("search", q, "--index", index, "--json", "--limit", 50).output) for q in queries]
    result = run("optimize", "--index", index, "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["segments_before"] == 3 and counts["segments_after"] == 1
    after = [json.loads(run("search", q, "--index", index, "--json", "--limit", 50).output) for q in queries]
    for old, new in zip(before, after):
        assert old["total"] == new["total"] > 0
        assert {h["id"] for h in old["hits"]} == {h["id"] for h in new["hits"]}
    assert run("optimize", "--index", tmp_path / "none").exit_code == 3
    assert f"{MERGE_LIMIT:,}" in run("optimize", "--help").output


def test_many_problems_are_listed_up_to_a_point(tmp_path):
    source = tmp_path / "broken.jsonl"
    source.write_text("{not json\n" * 50, encoding="utf-8")
    result = run("index", source, "--index", tmp_path / "ix")
    assert "50 problems (not indexed):" in result.output
    assert result.output.count("malformed JSON") == 20
    assert "… and 30 more (--json lists them all)" in result.output
    summary = run("index", source, "--index", tmp_path / "ix", "--json").stdout
    listed = json.loads(summary)["problems"]
    assert len(listed) == 50
