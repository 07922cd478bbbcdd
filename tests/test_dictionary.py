"""The dictionary on disk splits hanzi as the segmenter does, so a search that
segments a few words without loading the segmenter finds the same hits."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys

import pytest

from indexer import segment
from indexer.dictionary import open_dictionary, source, table_path
from tests.conftest import ARTICLES, dev_slice


@pytest.fixture(scope="module")
def dictionary():
    found = open_dictionary(segment.cache_dir())
    assert found is not None
    return found


def test_the_dictionary_gives_the_segmenters_words_on_the_dev_corpus(dictionary):
    runs = {run for record in dev_slice(60) for run in re.findall("[\u4e00-\u9fd5]+", record["body"])}
    assert len(runs) > 4000
    loaded = segment.backend()
    for run in runs:
        assert dictionary.cut(run) == loaded.cut(run), run
        assert dictionary.cut_for_search(run) == loaded.cut_for_search(run), run


def test_words_frequencies_and_splits(dictionary):
    assert dictionary.frequencies("记录") == {"记": 7460, "录": 1833, "记录": 3466}
    assert dictionary.cut("记录") == ["记录"]
    assert dictionary.cut("南京市长江大桥") == ["南京市", "长江大桥"]
    assert dictionary.cut("结婚的和尚未结婚的") == ["结婚", "的", "和", "尚未", "结婚", "的"]
    assert dictionary.cut("李志龙") == ["李", "志", "龙"]  # a name the dictionary lacks
    assert dictionary.cut("龘靐") == ["龘", "靐"]  # characters the dictionary lacks
    assert dictionary.cut_for_search("拱墅区人民政府") == ["拱墅区", "人民", "民政", "政府", "人民政府"]


def test_the_table_is_written_once_by_one_process(tmp_path):
    path = table_path(tmp_path, source())
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process is writing it: this one does without
        assert open_dictionary(tmp_path) is None
    assert not path.exists()
    written = open_dictionary(tmp_path)
    assert written.path == path and written.cut("记录") == ["记录"]
    before = path.stat().st_mtime_ns
    assert open_dictionary(tmp_path).path == path
    assert path.stat().st_mtime_ns == before
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".lock", ".sqlite"]  # no partial file left


SEARCH = """
import json, sys
from indexer import segment
from indexer.analysis import words
from query import Index
from query.language import parse
from query.matching import query_units, to_whoosh
if sys.argv[2] == "loaded":
    segment.backend()
index = Index.open(sys.argv[1])
out = {}
for q in json.loads(sys.argv[3]):
    r = index.search(q, limit=None)
    out[q] = [r.total, r.suggestion, [[h.id, h.score, h.snippet, h.snippet_start, h.highlights] for h in r.hits],
              query_units(q), words(q, mode="index"), repr(to_whoosh(parse(q)))]
print(json.dumps({"results": out, "loaded": sorted({"jieba", "rjieba"} & set(sys.modules))}))
"""
QUERIES = ["浙商银行", "拱墅 浙商银行", "李志龙", "农业发展银行 贷款", "记者林韬", "银行 -浙商", "拱树",
           "杭州亚运会场馆建设提速", "拱墅区人民政府与浙商银行签署战略合作协议", "區委常委 黄飞 见证 双方 签约"]


def _search(index_path, mode: str) -> dict:
    result = subprocess.run([sys.executable, "-c", SEARCH, str(index_path), mode, json.dumps(QUERIES)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_a_search_without_the_segmenter_finds_the_same(tmp_path):
    from indexer.writer import add_articles

    add_articles(tmp_path / "index", ARTICLES)
    cold = _search(tmp_path / "index", "cold")
    loaded = _search(tmp_path / "index", "loaded")
    assert cold["loaded"] == [] and loaded["loaded"] != []
    assert cold["results"] == loaded["results"]
    assert cold["results"]["拱墅 浙商银行"][0] == 1 and cold["results"]["李志龙"][3] == ["李志龙"]


@pytest.mark.parametrize("code, output, loads", [
    ("print(words('拱墅区人民政府'))", "['拱墅区', '人民政府']", False),
    # U+4DAE: jieba splits such hanzi one by one, jieba-rs with the others
    ("print(words('䶮记录'))", "['䶮', '记录']", True),
    ("print(len(words('人民政府' * (segment.LOOKUP_CHARS // 4 + 1))))", "251", True),
    ("segment.use_words(('李志龙',)); print(words('李志龙'))", "['李志龙']", True),
])
def test_the_segmenter_loads_for_long_texts_rare_hanzi_and_user_words(code, output, loads):
    assert _words_in_new_process(code) == [output, str(loads)]


def test_the_segmenter_loads_without_a_cache_folder(tmp_path):
    (tmp_path / "file").write_text("")
    assert _words_in_new_process("print(words('拱墅区人民政府'))", ZHSEARCH_CACHE=str(tmp_path / "file" / "cache")) \
        == ["['拱墅区', '人民政府']", "True"]


def _words_in_new_process(code: str, **env) -> list[str]:
    """The lines ``code`` prints, then whether jieba or rjieba was loaded."""
    program = (f"import sys; from indexer import segment; from indexer.analysis import words; {code}; "
               f"print(bool({{'jieba', 'rjieba'}} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                            env={**os.environ, **env})
    return result.stdout.splitlines()
