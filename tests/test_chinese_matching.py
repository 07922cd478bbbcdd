"""Traditional/simplified, pinyin, did-you-mean, facets and similar articles."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from indexer.writer import add_articles
from query import Index
from query.pinyin import keys

ARTICLES = [
    {"id": "g1", "paper": "拱墅报", "date": "2022-12-15", "page": 1, "reporters": ["林韬"],
     "title": "拱墅区召开会议", "body": "拱墅区委书记李志龙出席会议。拱墅运河体育公园将承办亚运会赛事。"},
    {"id": "g2", "paper": "拱墅报", "date": "2022-12-16", "page": 2, "reporters": ["郑斌"],
     "title": "拱墅经济运行", "body": "拱墅区经济运行平稳，拱墅企业发展良好。"},
    {"id": "g3", "paper": "人民日报", "date": "2020-03-02", "page": 4, "reporters": ["林韬", "王凯"],
     "title": "杭州亚运会筹备", "body": "杭州亚运会场馆建设提速，景点游客增多。"},
    {"id": "g4", "paper": "人民日报", "date": "2020-03-20", "page": 4,
     "title": "經典報紙", "body": "這是一份經典的報紙，記錄了歷史。"},
    {"id": "g5", "paper": "人民日报", "date": "2020-04-01", "page": 1,
     "title": "春耕", "body": "报纸报道春耕生产，经典案例不断涌现。"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("zh") / "ix"
    add_articles(path, ARTICLES)
    return Index.open(path)


def ids(results):
    return sorted(hit.id for hit in results.hits)


def test_traditional_and_simplified_find_each_other(index):
    assert ids(index.search("報紙")) == ["g4", "g5"]
    assert ids(index.search("报纸")) == ["g4", "g5"]
    assert ids(index.search('"记录了历史"')) == ["g4"]


def test_display_keeps_the_printed_form(index):
    hit = index.search("报纸 历史").hits[0]
    body = index.get(hit.id).body
    assert [body[s:e] for s, e in hit.highlights] == ["報紙", "歷史"]
    assert hit.title == "經典報紙"


def test_homophones_never_match_each_other(index):
    assert set(keys("景点")) & set(keys("经典")) == {"jingdian"}
    assert ids(index.search("景点")) == ["g3"]
    assert ids(index.search("经典")) == ["g4", "g5"]


def test_pinyin_finds_the_words_it_spells(index):
    for query in ("gongshu", "gong shu", "GongShu"):
        results = index.search(query, limit=None)
        assert ids(results) == ["g1", "g2"], query
        assert results.pinyin == "拱墅"
    results = index.search("hangzhou yayunhui")
    assert ids(results) == ["g3"] and results.pinyin == "杭州 亚运会"
    hit = results.hits[0]
    assert "杭州亚运会" in [index.get("g3").body[s:e] for s, e in hit.highlights]


def test_latin_words_that_are_not_pinyin_stay_latin(index):
    assert index.search("qqxz").total == 0 and index.search("qqxz").pinyin is None


def test_did_you_mean_a_frequent_homophone(index):
    results = index.search("拱树")
    assert results.total == 0
    assert results.suggestion == "拱墅"
    assert index.search("拱墅").suggestion is None


def test_the_vocabulary_is_kept_with_the_index_and_follows_its_changes(tmp_path, monkeypatch):
    from query.index import OLD_PINYIN_CACHE, PINYIN_CACHE

    path = tmp_path / "ix"
    add_articles(path, ARTICLES)
    (path / OLD_PINYIN_CACHE).write_bytes(b"an older index's vocabulary")
    assert Index.open(path).search("拱树").suggestion == "拱墅"
    assert not (path / OLD_PINYIN_CACHE).exists()  # replaced
    saved = path / PINYIN_CACHE
    assert saved.exists()
    built = saved.stat().st_mtime_ns
    assert Index.open(path).search("gongshu").pinyin == "拱墅" and saved.stat().st_mtime_ns == built  # reused
    code = ("import sys; from query import Index; r = Index.open(sys.argv[1]).search('拱树'); "
            "print(r.suggestion, 'pypinyin' in sys.modules)")  # a fresh process reads rows, loads no dictionary
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["拱墅", "False"]
    assert Index.open(path).search("xihu").pinyin is None
    add_articles(path, [{"id": "g6", "body": "西湖边的龙井茶园。"}])  # a new generation: built again
    assert Index.open(path).search("xihu").pinyin == "西湖" and saved.stat().st_mtime_ns != built
    saved.write_bytes(b"not a database")

    def read_only(*_):
        raise PermissionError("read-only index")

    monkeypatch.setattr("query.pinyin.os.replace", read_only)  # (root ignores file modes)
    assert Index.open(path).search("xihu").pinyin == "西湖"  # answered from memory
    assert saved.read_bytes() == b"not a database"
    assert sorted(p.name for p in path.iterdir() if "pinyin" in p.name) == [PINYIN_CACHE]  # nothing left behind


def test_facets_match_brute_force(index):
    results = index.search("报:人民日报 OR 报:拱墅报", limit=None,
                           facets=("paper", "reporter", "page", "month"))
    assert results.total == len(ARTICLES)
    expected = {
        "paper": Counter(a["paper"] for a in ARTICLES),
        "reporter": Counter(r for a in ARTICLES for r in a.get("reporters", [])),
        "page": Counter(a["page"] for a in ARTICLES),
        "month": Counter(a["date"][:7] for a in ARTICLES),
    }
    for name, counter in expected.items():
        assert dict(results.facets[name]) == dict(counter), name
    assert results.facets["reporter"][0] == ("林韬", 2)


def test_facets_count_every_segment_and_only_live_versions(tmp_path):
    add_articles(tmp_path, ARTICLES[:3])
    changed = {**ARTICLES[0], "reporters": ["林韬", "新人"], "paper": "新报"}
    add_articles(tmp_path, [*ARTICLES[3:], changed])  # a second segment; g1's first version deleted
    index = Index.open(tmp_path)
    assert len(index._searcher().reader().leaf_readers()) == 2
    live = [changed, *ARTICLES[1:]]
    for limit in (None, 1):
        results = index.search("报:人民日报 OR 报:拱墅报 OR 报:新报", limit=limit,
                               facets=("paper", "reporter", "correspondent"))
        assert dict(results.facets["paper"]) == Counter(a["paper"] for a in live)
        assert dict(results.facets["reporter"]) == Counter(r for a in live for r in a.get("reporters", []))
        assert results.facets["correspondent"] == ()


def test_facets_follow_the_query(index):
    results = index.search("亚运会", facets=("paper",))
    assert dict(results.facets["paper"]) == {"拱墅报": 1, "人民日报": 1}


def test_similar_articles(index):
    results = index.similar("g1", limit=3)
    assert results.hits and results.hits[0].id == "g2"
    assert "g1" not in ids(results)
    with pytest.raises(KeyError):
        index.similar("nope")
