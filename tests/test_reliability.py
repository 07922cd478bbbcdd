"""Crash safety, concurrency and hostile input: never lose an article, never crash."""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from indexer import layout, pages
from indexer.writer import IndexBusyError, IndexWriter, index_paths
from query import Index, IndexDamagedError, QueryError
from tests.conftest import SEED_PAGE
from query.cli import app

HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def make_records(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for number in range(count):
        body = "。".join("".join(rng.choice(HANZI) for _ in range(rng.randint(8, 30))) for _ in range(12)) + "。"
        records.append({"id": f"r{number:04d}", "title": "".join(rng.choice(HANZI) for _ in range(10)),
                        "body": body, "paper": "测试报", "date": f"2020-0{1 + number % 9}-1{number % 10}",
                        "page": 1 + number % 8})
    return records


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def zhsearch(*args, **kwargs):
    # Ctrl-C as at a terminal, even when the tests run in a background job
    # (a shell's background jobs, and their children, ignore SIGINT)
    return subprocess.Popen([sys.executable, "-m", "query.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def assert_whole_articles(index_path, records, complete):
    index = Index.open(index_path)
    every = index.search("报:测试报", limit=None)
    expected = {r["id"]: r for r in records}
    found = [hit.id for hit in every.hits]
    assert len(found) == len(set(found)), "duplicates"
    for article_id in found:
        assert index.get(article_id).body == expected[article_id]["body"]
    if complete:
        assert sorted(found) == sorted(expected)
    assert index.search('"' + records[0]["body"][:6] + '"').total <= len(records)


def kill_trials(tmp_path, trials, jobs):
    records = make_records(800)
    source = write_jsonl(tmp_path / "records.jsonl", records)
    rng = random.Random(trials)
    killed = 0
    for trial in range(trials):
        index_path = tmp_path / f"ix{trial}"
        process = zhsearch("index", source, "--index", index_path, "--batch", 40, "--jobs", jobs)
        time.sleep(rng.uniform(0.5, 3.5))
        if process.poll() is None:
            killed += 1
        process.send_signal(signal.SIGKILL)
        process.communicate()
        if (index_path / "zhsearch.json").exists() and any(index_path.glob("*.toc")):
            assert_whole_articles(index_path, records, complete=False)
        rerun = zhsearch("index", source, "--index", index_path, "--jobs", jobs)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert_whole_articles(index_path, records, complete=True)
    return killed


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigkill_at_random_moments_loses_nothing(tmp_path, jobs):
    assert kill_trials(tmp_path, trials=1, jobs=jobs) == 1


@pytest.mark.slow
def test_twenty_sigkills_lose_nothing(tmp_path):
    assert kill_trials(tmp_path, trials=20, jobs=2) >= 10


def committed(index_path) -> bool:
    """Whether a commit has landed (a table of contents after the empty one)."""
    return any(not toc.name.endswith("_0.toc") for toc in index_path.glob("_MAIN_*.toc"))


def test_sigint_stops_cleanly_and_keeps_commits(tmp_path):
    records = make_records(600)
    source = write_jsonl(tmp_path / "records.jsonl", records)
    process = zhsearch("index", source, "--index", tmp_path / "ix", "--batch", 30, "--jobs", 1)
    deadline = time.time() + 60
    while time.time() < deadline and not committed(tmp_path / "ix"):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    kept = Index.open(tmp_path / "ix").stats()["articles"]
    assert 0 < kept < len(records)
    assert f"the index holds {kept} articles" in " ".join(err.split())
    assert_whole_articles(tmp_path / "ix", records, complete=False)


def test_a_second_writer_waits_then_fails_clearly(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", make_records(3))
    with IndexWriter(tmp_path / "ix"):
        started = time.time()
        with pytest.raises(IndexBusyError, match="another process"):
            index_paths([tmp_path / "a.jsonl"], tmp_path / "ix", wait=0.5)
        assert time.time() - started >= 0.5
        result = CliRunner().invoke(app, ["index", str(tmp_path / "a.jsonl"), "-i", str(tmp_path / "ix"),
                                          "--wait", "0.2"])
        assert result.exit_code == 3 and "another process" in result.output
    assert index_paths([tmp_path / "a.jsonl"], tmp_path / "ix").added == 3


def test_searches_keep_working_while_another_process_indexes(tmp_path):
    records = make_records(500, seed=3)
    write_jsonl(tmp_path / "first.jsonl", records[:100])
    index_paths([tmp_path / "first.jsonl"], tmp_path / "ix")
    source = write_jsonl(tmp_path / "all.jsonl", records)
    process = zhsearch("index", source, "--index", tmp_path / "ix", "--batch", 50, "--jobs", 2)
    index = Index.open(tmp_path / "ix")
    seen, errors = [], []

    def hammer():
        while process.poll() is None:
            try:
                seen.append(index.search("报:测试报", limit=3).total)
                index.search('"' + records[7]["body"][3:8] + '"')
            except Exception as error:  # any failure is the test's failure
                errors.append(error)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert process.wait() == 0
    assert not errors
    assert seen and all(100 <= total <= 500 for total in seen), sorted(set(seen))[-5:]
    assert index.search("报:测试报").total == 500


def test_many_threads_share_one_index(tmp_path):
    records = make_records(60, seed=4)
    index_paths([write_jsonl(tmp_path / "a.jsonl", records)], tmp_path / "ix")
    index = Index.open(tmp_path / "ix")
    queries = ['"' + r["body"][5:9] + '"' for r in records[:20]] + ["报:测试报 版:2"]
    expected = {q: [h.id for h in index.search(q, limit=None).hits] for q in queries}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        for q, ids in pool.map(lambda q: (q, [h.id for h in index.search(q, limit=None).hits]), queries * 20):
            assert ids == expected[q]


# --- bad input ---------------------------------------------------------------

GOOD = {"id": "enc", "title": "编码测试", "body": "拱墅区人民政府与浙商银行签署战略合作协议。"}


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""),
                                           ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_encodings_are_detected(tmp_path, encoding, bom):
    line = json.dumps(GOOD, ensure_ascii=False) + "\n"
    (tmp_path / "a.jsonl").write_bytes(bom + line.encode(encoding))
    page = "本报讯（记者 林韬）12月12日上午，拱墅区人民政府与浙商银行签署协议。\n\n我区与浙商银行签署协议\n"
    (tmp_path / "p.txt").write_bytes(bom + page.encode(encoding))
    report = index_paths([tmp_path / "a.jsonl", tmp_path / "p.txt"], tmp_path / "ix")
    assert report.problems == []
    index = Index.open(tmp_path / "ix")
    assert index.search('"浙商银行签署战略"').total == 1
    assert index.search('"浙商银行签署协议"').total == 1


def test_unusable_files_are_skipped_with_a_reason_each(tmp_path):
    (tmp_path / "good.jsonl").write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "undecodable.jsonl").write_bytes(b"\xff\xfe\xfa" * 10 + b"\n")
    (tmp_path / "emptydir").mkdir()
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    paths = [tmp_path / n for n in ("good.jsonl", "binary.txt", "empty.txt", "undecodable.jsonl", "emptydir",
                                    "broken.txt", "notes.docx", "missing.jsonl")]
    report = index_paths(paths, tmp_path / "ix", skip_bad=True)
    assert report.added == 1
    reasons = {os.path.basename(p.source): p.reason for p in report.problems}
    assert set(reasons) == {"binary.txt", "empty.txt", "undecodable.jsonl", "emptydir", "broken.txt",
                            "notes.docx", "missing.jsonl"}
    assert "binary" in reasons["binary.txt"] or "not UTF-8" in reasons["binary.txt"]
    assert "broken" in reasons["broken.txt"]
    result = CliRunner().invoke(app, ["index", *map(str, paths), "-i", str(tmp_path / "ix2"), "--skip-bad"])
    assert result.exit_code == 0
    assert all(name in result.output for name in reasons)


def test_a_bad_line_stops_the_run_before_its_file(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", make_records(2))
    (tmp_path / "b.jsonl").write_text('{"id": "ok", "body": "好"}\n{"id": "x", "body": 3}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["index", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"),
                                      "-i", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "b.jsonl:2: 'body' is not a string" in result.output
    index = Index.open(tmp_path / "ix")
    assert index.stats()["articles"] == 2 and index.get("ok") is None


def test_huge_body_and_line_without_breaks(tmp_path):
    body = ("拱墅区人民政府与浙商银行签署战略合作协议" * 60000)[:1_000_000] + "独一无二的结尾"
    write_jsonl(tmp_path / "a.jsonl", [{"id": "huge", "body": body}])
    (tmp_path / "page.txt").write_text("杭州亚运会" * 200_000 + "最后一段", encoding="utf-8")
    report = index_paths([tmp_path / "a.jsonl", tmp_path / "page.txt"], tmp_path / "ix")
    assert report.problems == [] and report.added >= 2
    index = Index.open(tmp_path / "ix")
    hit = index.search('"独一无二的结尾"').hits[0]
    assert hit.id == "huge" and body[slice(*hit.highlights[-1])] == "独一无二的结尾"
    assert index.search('"运会最后一段"').total == 1


def test_pages_beyond_the_chunk_size_are_read_in_pieces(monkeypatch):
    seed = SEED_PAGE.read_text(encoding="utf-8")
    text = "\r\n".join([seed, seed.replace("\n", "\r"), "长" * 5000, seed])
    monkeypatch.setattr(pages, "CHUNK_CHARS", 3000)
    records = pages.parse_page(text)
    assert pages.conserved(text, records)
    numbered = enumerate(layout.LINE_BREAK_RE.split(text), 1)
    printed = {number for number, line in numbered if line.strip()}
    covered = {n for record in records for first, last in record.lines for n in range(first, last + 1)}
    assert printed <= covered <= set(range(1, max(printed) + 1))
    assert len(records) > 3 * len(pages.parse_page(seed))


# --- bad queries and damaged indexes -----------------------------------------

@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "ix"
    index_paths([write_jsonl(path.parent / "a.jsonl", make_records(20, seed=5))], path)
    return Index.open(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_query_returns_results_or_query_error(tiny_index, text):
    try:
        results = tiny_index.search(text, limit=3)
    except QueryError:
        return
    assert results.total >= 0


@pytest.mark.parametrize("query", ["\x00\x01\x1f", "\ud800孤立", "拱" * 10_000, "date:0001-01..9999-12",
                                   "page:0-9999", "((((((", '"""', "标题:" + "-" * 5, "OR OR OR", "- - -"])
def test_hostile_queries_from_the_cli(tiny_index, query):
    result = CliRunner().invoke(app, ["search", query, "-i", str(tiny_index.path)])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


def test_damaged_indexes_say_so(tmp_path):
    index_paths([write_jsonl(tmp_path / "a.jsonl", make_records(20, seed=6))], tmp_path / "ix")
    segment = next(p for p in (tmp_path / "ix").iterdir() if p.suffix == ".seg")
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 3])
    with pytest.raises(IndexDamagedError, match="rebuild"):
        Index.open(tmp_path / "ix").search('"的"')
    result = CliRunner().invoke(app, ["search", "的", "-i", str(tmp_path / "ix")])
    assert result.exit_code == 3 and "rebuild" in result.output
    report = index_paths([tmp_path / "a.jsonl"], tmp_path / "ix", rebuild=True)
    assert report.added == 20 and Index.open(tmp_path / "ix").search('"的"').total >= 0
