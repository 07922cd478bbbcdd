"""A pasted text's best hits read again: words gathered in a sentence and in the opening count."""

from indexer.writer import add_articles
from query import Index
from query.rerank import DEPTH, reranked

WEIGHTS = {"春耕": 2.0, "贷款": 1.5, "农业": 1.0}


def test_words_in_one_sentence_and_the_opening_lift_an_article():
    bodies = {1: "别的事情。" * 30 + "春耕。贷款。农业。",  # the words apart, late
              2: "春耕贷款支持农业。别的事情。"}  # together, in the opening
    top = reranked([(10.0, 1), (9.0, 2)], bodies.__getitem__, "春耕 贷款 农业", WEIGHTS)
    assert [number for _, number in top] == [2, 1]
    assert top[0][0] == 9.0 + 10.0 * (0.5 * 1 + 0.5 * 1)  # all of the weight, in both
    assert top[1][0] == 10.0 + 10.0 * 0.5 * (2.0 / 4.5)  # its best sentence holds 春耕 alone


def test_a_verbatim_text_counts_whole_and_only_the_first_hits_are_read_again():
    bodies = {n: "别的事情。" for n in range(DEPTH + 5)}
    bodies[3] = "别的事情。" * 40 + "春耕\n贷款农业。"  # verbatim across a line break, far from the opening
    top = [(100.0 - n, n) for n in range(DEPTH + 5)]
    again = reranked(top, bodies.__getitem__, "春耕贷款农业", WEIGHTS)
    assert again[0] == (97.0 + 100.0, 3)
    assert again[DEPTH:] == top[DEPTH:]
    assert reranked([], bodies.__getitem__, "春耕", WEIGHTS) == []


def test_a_pasted_headline_finds_the_article_that_sums_it_up(tmp_path):
    add_articles(tmp_path, [
        {"id": "apart", "body": "今年春天雨水多。" + "农民忙碌。" * 8 + "县里调度农资。" + "天气转暖。" * 8
                                + "银行发放贷款。" + "各地推进春耕备耕。" * 2 + "设备检修。"},
        {"id": "summed", "body": "县里推进春耕备耕，银行发放农资贷款，农民忙碌。" + "天气转暖。" * 20}])
    hits = Index.open(tmp_path).search("银行 发放 春耕 农资 贷款 推进").hits
    assert [hit.id for hit in hits] == ["summed", "apart"]
