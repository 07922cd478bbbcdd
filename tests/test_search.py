"""Searching from Python: ranking, exact phrases, highlights, filters, threads."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.writer import add_articles
from query import Index, IndexNotFoundError, QueryError
from query.snippets import SENTENCE_ENDS


def ids(results):
    return [hit.id for hit in results.hits]


def test_unquoted_words_must_all_match(small_index):
    assert ids(small_index.search("浙商银行 战略合作")) == ["a1"]
    assert small_index.search("浙商银行 乒乓球").total == 0


def test_headline_words_rank_above_body_words(small_index):
    results = small_index.search("亚运会")
    assert ids(results)[0] == "a3"
    assert small_index.search("稳进提质").hits[0].id == "a2"


def test_quoted_phrase_crossing_word_boundaries(small_index):
    assert ids(small_index.search('"市委常"')) == ["a5"]
    assert set(ids(small_index.search('"委常"'))) == {"a1", "a5"}


def test_quoted_phrase_ignores_whitespace_and_folds_forms(small_index):
    assert set(ids(small_index.search('"农业发展银行"'))) == {"a4", "a5"}
    assert ids(small_index.search('"abc123"')) == ["a4"]
    assert ids(small_index.search('"报纸数字化"')) == ["a4"]
    assert ids(small_index.search('"冲刺半个月确保"')) == ["a2"]


def test_single_character_query(small_index):
    assert set(ids(small_index.search('"凯"'))) == {"a1"}
    assert set(ids(small_index.search("凯"))) == {"a1"}


def test_digits_and_latin_are_searchable(small_index):
    assert ids(small_index.search("5G")) == ["a3"]
    assert ids(small_index.search("gdp")) == ["a3"]
    assert ids(small_index.search('"3.6万"')) == ["a3"]


def test_exclusion_or_and_fields(small_index):
    assert set(ids(small_index.search("银行 -农业"))) == {"a1"}
    assert set(ids(small_index.search("霹雳舞 OR 稳进提质"))) == {"a2", "a3"}
    assert ids(small_index.search("标题:冲刺")) == ["a2"]
    assert ids(small_index.search("记者:林韬")) == ["a1"]
    assert set(ids(small_index.search("报:人民日报 日期:2020-03"))) == {"a3", "a4"}
    assert ids(small_index.search("date:2020-03-10..2020-04-30 版:1")) == ["a5"]


def test_an_excluded_first_match_is_left_out(tmp_path):
    from indexer.writer import add_articles

    add_articles(tmp_path, [{"id": "a", "body": "苹果"}, {"id": "b", "body": "香蕉和苹果"},
                            {"id": "c", "body": "香蕉"}, {"id": "d", "body": "苹果和香蕉"}])
    index = Index.open(tmp_path)
    for query in ("香蕉 -苹果", '香蕉 -"苹"', "-苹果"):
        assert ids(index.search(query)) == ["c"], query


def test_highlights_cover_whole_matches_on_the_printed_text(small_index):
    hit = small_index.search("浙商银行").hits[0]
    body = small_index.get(hit.id).body
    assert [body[s:e] for s, e in hit.highlights] == ["浙商银行"]
    hit = small_index.search('"农业发展银行"').hits
    texts = {h.id: [small_index.get(h.id).body[s:e] for s, e in h.highlights] for h in hit}
    assert texts == {"a4": ["農業發展銀行"], "a5": ["农业发展银行"]}


def test_one_character_words_light_up_only_inside_longer_matches(tmp_path):
    add_articles(tmp_path, [{"id": "x", "body": "我的书和你的笔。经济的发展很快，发展经济。"}])
    index = Index.open(tmp_path)
    hit = index.search("经济的发展").hits[0]
    assert [index.get("x").body[s:e] for s, e in hit.highlights] == ["经济的发展", "发展经济"]
    hit = index.search("的").hits[0]  # alone, it is the query
    assert len(hit.highlights) == 3


def test_snippets_are_whole_sentences(small_index):
    hit = small_index.search("曲棍球").hits[0]
    assert "曲棍球" in hit.snippet
    body = small_index.get(hit.id).body
    assert body[hit.snippet_start:hit.snippet_start + len(hit.snippet)] == hit.snippet
    before = body[hit.snippet_start - 1] if hit.snippet_start else "。"
    assert before in SENTENCE_ENDS
    assert hit.snippet[-1] in SENTENCE_ENDS


def test_hit_is_plain_data(small_index):
    hit = small_index.search("浙商银行").hits[0]
    assert hit.title == "我区与浙商银行签署战略合作协议"
    assert hit.paper == "拱墅报" and hit.page == 1 and hit.date.isoformat() == "2022-12-15"
    with pytest.raises(AttributeError):
        hit.score = 0


def test_limit_offset_and_all(small_index):
    every = small_index.search("银行", limit=None)
    assert every.total == len(every.hits) == 3
    assert ids(small_index.search("银行", limit=1, offset=1)) == ids(every)[1:2]


def test_sort_by_date(small_index):
    assert ids(small_index.search("银行", sort="date")) == ["a4", "a5", "a1"]
    assert ids(small_index.search("银行", sort="-date")) == ["a1", "a5", "a4"]


@pytest.mark.parametrize("query", ["", "，。！", "   ", "-"])
def test_empty_or_punctuation_queries_return_nothing(small_index, query):
    assert small_index.search(query).total == 0


def test_bad_query_raises_query_error(small_index):
    with pytest.raises(QueryError):
        small_index.search('"unbalanced')


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="zhsearch index"):
        Index.open(tmp_path / "nothing")


def test_concurrent_searches_from_threads(small_index):
    queries = ["浙商银行", '"农业发展银行"', "亚运会", "记者:林韬", "银行 -农业"] * 40
    expected = {q: ids(small_index.search(q)) for q in set(queries)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: (q, ids(small_index.search(q))), queries))
    assert all(result == expected[q] for q, result in got)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_quoted_queries_match_brute_force_on_the_dev_corpus(corpus_slice, corpus_index):
    """Recall and precision 1.0 against substring search, whitespace ignored."""
    texts = {r["id"]: (_squeeze("".join(r["title"])), _squeeze(r["body"])) for r in corpus_slice}
    rng = random.Random(7)
    bodies = [b for _, b in texts.values() if len(b) > 20]
    for _ in range(150):
        body = rng.choice(bodies)
        size = rng.randint(1, 6)
        start = rng.randrange(len(body) - size)
        needle = body[start:start + size]
        if '"' in needle:
            continue
        expected = {i for i, (t, b) in texts.items() if needle in t or needle in b}
        found = set(ids(corpus_index.search(f'"{needle}"', limit=None)))
        assert found == expected, needle


def test_text_held_verbatim_matches_whatever_jieba_cut(tmp_path):
    # 质 is a word of the query but not of 生态环境质量: the verbatim article
    # must still be found, and rank above one that holds the words apart
    add_articles(tmp_path, [{"id": "apart", "body": "生态环境要改善，质是关键。"},
                            {"id": "verbatim", "body": "今年将持续改善生态环境质量。"}])
    assert ids(Index.open(tmp_path).search("改善生态环境质")) == ["verbatim", "apart"]


def test_long_text_ranks_its_verbatim_article_first_when_one_word_is_informative(tmp_path):
    # 本报, 北京, 日电 are in every article and left out of the bag of words;
    # 13 alone is left, but the article holding the whole text still ranks first
    fillers = [{"id": f"f{day}", "body": f"本报北京1月{day}日电 天气晴朗。"} for day in range(2, 9)]
    add_articles(tmp_path, fillers + [
        {"id": "other", "body": "本报北京1月9日电 13日白天，13个地区降雪。"},
        {"id": "verbatim", "body": "本报北京1月13日电 会议召开。"}])
    assert ids(Index.open(tmp_path).search("本报北京1月13日电"))[:2] == ["verbatim", "other"]


def test_long_text_ranks_its_words_side_by_side_above_the_same_words_apart(tmp_path):
    # both hold every word of the text once, the shorter one would win on
    # words alone; the character pairs spanning two words (村人, 境整, 治提)
    # are held only where the words stand side by side
    fillers = [{"id": f"f{i}", "body": f"第{i}期城市交通拥堵问题突出，天气晴朗。"} for i in range(20)]
    add_articles(tmp_path, fillers + [
        {"id": "apart", "body": "人居环境好，农村才美。整治要有力，行动方案要提升。"},
        {"id": "side", "body": "农村人居环境整治，关键在提升行动方案的执行力，各地要抓紧落实，久久为功。"}])
    assert ids(Index.open(tmp_path).search("农村人居环境整治提升行动方案")) == ["side", "apart"]


def test_total_counts_every_match(tmp_path):
    """A page's total counts every match, whatever the page size and order."""
    add_articles(tmp_path / "ix", [{"id": f"n{n:03d}", "title": ["天气预报"] if n < 5 else [],
                                    "body": f"张{chr(0x4E00 + n)}说，今天天气{'很' * (n % 4)}好。"}
                                   for n in range(300)])
    index = Index.open(tmp_path / "ix")
    for query in ("张", "天气", "张 天气", '"今天"'):
        every = index.search(query, limit=None)
        assert every.total == len(every.hits) == 300
        page = index.search(query, limit=5)
        assert page.total == 300 and ids(page) == ids(every)[:5]
        assert index.search(query, limit=5, sort="-date").total == 300
    assert index.search("天气预报").total == 5
