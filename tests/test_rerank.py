"""A pasted text's best hits read again: its words gathered in a sentence, in the opening, in its order."""

import re

from hypothesis import given
from hypothesis import strategies as st

from indexer.writer import add_articles
from query import Index, matching
from query.matching import split_asides
from query.rerank import DEPTH, VERBATIM, WEIGHTS, _common_subsequence, evidence, reranked

WEIGHTS_OF_WORDS = {"春耕": 2.0, "贷款": 1.5, "农业": 1.0}


def longest_common_subsequence(a: str, b: str) -> int:
    """The textbook dynamic programme, to check the bit-parallel one."""
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal, row = 0, row[:]
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], diagonal + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


@given(st.text("春耕贷款农业", max_size=12), st.text("春耕贷款农业的", max_size=40))
def test_the_common_subsequence_is_the_longest_one(a, b):
    assert _common_subsequence(a, b) == longest_common_subsequence(a, b)


def test_evidence_measures_the_sentence_the_lead_and_the_order():
    body = "别的事情。" * 40 + "农业贷款助春耕。"  # every word in one late sentence, out of order
    found = evidence(body, "春耕 贷款 农业", WEIGHTS_OF_WORDS)
    assert found.sentence == 1.0
    assert found.lead == 0.0
    assert found.order == 2 / 6  # 贷款 (or 农业, 春耕) in order, of 春耕贷款农业
    assert found.opening == 0.0
    opening = evidence("春耕时节，贷款支持农业。" + "别的事情。" * 30, "春耕 贷款 农业", WEIGHTS_OF_WORDS)
    assert (opening.sentence, opening.lead, opening.order, opening.opening) == (1.0, 1.0, 1.0, 1.0)


def test_a_verbatim_text_is_all_the_evidence_whitespace_ignored():
    body = "别的事情。" * 40 + "春耕\n贷款农业。"
    assert evidence(body, "春耕贷款农业", WEIGHTS_OF_WORDS) == VERBATIM
    assert evidence(body, "春耕 贷款 农业", WEIGHTS_OF_WORDS) == VERBATIM


def test_the_article_that_sums_the_text_up_moves_ahead_and_only_the_first_hits_are_read_again():
    bodies = {n: "别的事情。" for n in range(DEPTH + 5)}
    bodies[3] = "春耕时节，贷款支持农业。"
    top = [(100.0 - n, n) for n in range(DEPTH + 5)]
    again = reranked(top, bodies.__getitem__, "春耕贷款农业", WEIGHTS_OF_WORDS)
    gain = 100.0 * sum(WEIGHTS)  # all of the evidence, though not verbatim
    assert again[0] == (97.0 + gain, 3)
    assert [number for _, number in again[1:DEPTH]] == [n for n in range(DEPTH) if n != 3]
    assert again[DEPTH:] == top[DEPTH:]
    assert reranked([], bodies.__getitem__, "春耕", WEIGHTS_OF_WORDS) == []


def test_a_pasted_headline_finds_the_article_that_sums_it_up(tmp_path):
    add_articles(tmp_path, [
        {"id": "apart", "body": "今年春天雨水多。" + "农民忙碌。" * 8 + "县里调度农资。" + "天气转暖。" * 8
                                + "银行发放贷款。" + "各地推进春耕备耕。" * 2 + "设备检修。"},
        {"id": "summed", "body": "县里推进春耕备耕，银行发放农资贷款，农民忙碌。" + "天气转暖。" * 20}])
    hits = Index.open(tmp_path).search("银行 发放 春耕 农资 贷款 推进").hits
    assert [hit.id for hit in hits] == ["summed", "apart"]


def test_a_bracketed_aside_splits_off_a_pasted_text():
    assert split_asides("记者体验春运一线（新春走基层）") == ("记者体验春运一线", "新春走基层")
    assert split_asides("【快评】年味里的文化（评论员观察）") == ("年味里的文化", "快评 评论员观察")
    assert split_asides("没有括号的标题") == ("没有括号的标题", "")
    assert split_asides("（2020年1月17日，内比都）") == ("（2020年1月17日，内比都）", "")


TAGGED = [
    {"id": "opener", "body": "开栏的话：新春走基层，本报记者奔赴各地。" + "春节将至。" * 6 + "各地一线忙碌。"},
    {"id": "answer", "body": "记者来到火车站体验春运，旅客排队进站。" + "春节将至。" * 6 + "一线职工坚守岗位。"},
]


def test_a_pasted_headlines_column_tag_weighs_less_than_its_words(tmp_path, monkeypatch):
    add_articles(tmp_path, TAGGED)
    index = Index.open(tmp_path)
    query = "记者体验春运一线（新春走基层）"
    assert [hit.id for hit in index.search(query).hits] == ["answer", "opener"]
    monkeypatch.setattr(matching, "ASIDE", re.compile("(?!)"))  # the tag read as the headline's words
    assert [hit.id for hit in index.search(query).hits] == ["opener", "answer"]


def test_an_aside_inside_a_name_still_matches_verbatim(tmp_path):
    add_articles(tmp_path, [
        {"id": "whole", "body": "中国（上海）自由贸易试验区扩大开放新措施发布。" + "天气转暖。" * 30},
        {"id": "apart", "body": "上海：中国扩大开放新措施，自由贸易试验区新措施，上海扩大开放。"}])
    hits = Index.open(tmp_path).search("中国（上海）自由贸易试验区扩大开放新措施").hits
    assert [hit.id for hit in hits] == ["whole", "apart"]
