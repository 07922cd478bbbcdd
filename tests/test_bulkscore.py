"""Ranking from whole posting lists gives Whoosh's scores and order (a sum
may differ in its last bits), phrases scored by how often they occur."""

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.matching import WrappingMatcher

from indexer.writer import add_articles
from query import Index
from query.bulkscore import PHRASE_B, _covering, ranked
from query.language import parse
from query.matching import to_whoosh

WORDS = ["经济", "发展", "银行", "贷款", "农业", "春耕", "杭州", "亚运会", "体育", "疫情", "防控", "社会",
         "记者", "报道", "改革", "创新", "城市", "乡村", "教育", "科技", "的", "在", "和", "了"]
QUERIES = ["经济", "经济 发展", "农业发展银行", '"发展银行"', "银行 -贷款", "杭州 OR 体育", "体育 亚运会 杭州 城市 教育",
           "title:改革", "报:人民日报 科技", "社会 date:2020-03", "发展 date:2020-03-01..2020-04-15", "的",
           "春耕 贷款 农业", '"经济发展" 改革', '"经济经济"', '"银行贷款农业"', "(疫情 OR 防控) 社会 -乡村", "科技创新城市发展", "z"]


def _article(rng: random.Random, number: int, version: int = 0) -> dict:
    body = "，".join("".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9))) for _ in range(rng.randint(1, 12)))
    return {"id": f"n{number:03d}", "paper": rng.choice(["人民日报", "拱墅报"]),
            "date": f"2020-{rng.randint(2, 4):02d}-{rng.randint(1, 28):02d}", "page": rng.randint(1, 8),
            "title": ["".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))] if number % 3 else [],
            "body": body + "。" + "改革" * version}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    rng = random.Random(5)
    path = tmp_path_factory.mktemp("bulk") / "index"
    add_articles(path, [_article(rng, n) for n in range(250)])
    add_articles(path, [_article(rng, n) for n in range(250, 400)])
    add_articles(path, [_article(rng, n, version=1) for n in range(0, 400, 7)])  # updates: deletions in older segments
    return Index.open(path)


class _CountedPhrase(wq.Phrase):
    """Whoosh's phrase, scored as ``query.bulkscore`` scores one: BM25 of how
    often the phrase occurs (Whoosh's own spans of the document), with the
    sum of its terms' idf and length normalisation ``PHRASE_B``."""

    def matcher(self, searcher, context=None):
        boost, self.boost = self.boost, 1.0
        matcher = super().matcher(searcher, context)
        self.boost = boost
        parent = searcher.get_parent()
        idf = sum(parent.idf(self.fieldname, word) for word in self.words)
        avgfl = parent.avg_field_length(self.fieldname) or 1
        K1 = searcher.weighting.K1

        def score(m=matcher):
            tf = float(len(m.spans()))
            fl = searcher.doc_field_length(m.id(), self.fieldname, 1)
            return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - PHRASE_B) + PHRASE_B * fl / avgfl))) * boost

        counted = WrappingMatcher(matcher)
        counted.score = score
        return counted


def _counted(q):
    """``q`` with each phrase scored by its frequency."""
    if type(q) is wq.Phrase:
        return _CountedPhrase(q.fieldname, q.words, boost=q.boost)
    return q.apply(_counted) if q.children() else q


def _whoosh(searcher, q) -> list[tuple[float, int]]:
    """Every match by Whoosh's own collector, nothing pruned, phrases scored
    by frequency: (score, number), best first."""
    collector = searcher.collector(limit=None, optimize=False)
    collector.replace = 0
    searcher.search_with_collector(_counted(q), collector)
    return [(score, number) for score, number in collector.results().top_n]


def _same(top: list[tuple[float, int]], expected: list[tuple[float, int]]) -> None:
    """The same documents in the same order, with the same scores to 12 digits."""
    assert [number for _, number in top] == [number for _, number in expected]
    assert [score for score, _ in top] == pytest.approx([score for score, _ in expected], rel=1e-12)


@pytest.mark.parametrize("q", QUERIES)
def test_scores_and_order_are_whooshs(index, q):
    searcher = index._searcher()
    assert len(searcher.reader().leaf_readers()) > 1 and searcher.reader().has_deletions()
    matcher = to_whoosh(parse(q), reader=searcher.reader())
    expected = sorted(_whoosh(searcher, matcher), key=lambda item: (-item[0], item[1]))
    for wanted in (1, 3, 10, None):
        top, total = ranked(searcher, matcher, wanted)
        _same(top, expected[:wanted])
        assert total == len(expected)


@pytest.mark.parametrize("q", ["经济", "经济 发展", '"发展银行"', "社会 date:2020-03"])
def test_sorted_by_date_then_score(index, q):
    searcher = index._searcher()
    matcher = to_whoosh(parse(q), reader=searcher.reader())
    dates = {number: searcher.stored_fields(number)["date"] for _, number in _whoosh(searcher, matcher)}
    every = _whoosh(searcher, matcher)
    for reverse in (False, True):
        expected = sorted(every, key=lambda item: ((-1 if reverse else 1) * dates[item[1]], -item[0], item[1]))
        top, total = ranked(searcher, matcher, 5, "date", reverse)
        _same(top, expected[:5])
        assert total == len(every)
        assert [dates[n] for _, n in top] == sorted((dates[n] for _, n in top), reverse=reverse)


def test_nothing_and_no_page(index):
    searcher = index._searcher()
    matcher = to_whoosh(parse("经济"), reader=searcher.reader())
    assert ranked(searcher, matcher, 0)[0] == []
    assert ranked(searcher, to_whoosh(parse("不存在的词语"), reader=searcher.reader()), 10) == ([], 0)


def test_verbatim_text_lifts_an_article_from_below_the_page(tmp_path):
    """Scored on its words alone the verbatim article is last; its verbatim
    score must still be added (it is checked whenever it could reach the page)."""
    apart = [{"id": f"apart{n}", "body": "经济很好。发展很快。" + "其他" * n} for n in range(5)]
    add_articles(tmp_path, apart + [{"id": "verbatim", "body": "一段文字，" * 10 + "经济发展。"}])
    searcher = Index.open(tmp_path)._searcher()
    query = to_whoosh(parse("经济发展"), reader=searcher.reader())
    every = sorted(_whoosh(searcher, query), key=lambda item: (-item[0], item[1]))
    verbatim = searcher.document_number(id="verbatim")
    assert every[0][1] == verbatim
    assert min(_whoosh(searcher, query.a))[1] == verbatim  # the lowest on its words alone
    _same(ranked(searcher, query, 1)[0], every[:1])


def test_a_phrase_scores_by_how_often_it_occurs_for_its_length(tmp_path):
    add_articles(tmp_path, [{"id": "once-long", "body": "经济发展。" + "其它文字。" * 20},
                            {"id": "once", "body": "经济发展。发展经济。经济，发展。"},  # its words, apart, as often
                            {"id": "twice", "body": "经济发展。经济发展。其它文字。"},
                            {"id": "apart", "body": "发展经济。别的文字。"}])
    index = Index.open(tmp_path)
    assert [hit.id for hit in index.search('"经济发展"').hits] == ["twice", "once", "once-long"]
    assert [hit.id for hit in index.search("经济发展").hits] == ["twice", "once", "once-long", "apart"]


@pytest.mark.parametrize("query", [
    wq.Prefix("body", "经"), wq.Wildcard("body", "*济"), wq.Not(wq.Term("body", "经济")),
    wq.And([wq.Term("body", "发展"), wq.Not(wq.Term("body", "经济"))]), wq.Or([wq.Term("body", "发展")] * 2, minmatch=2),
    wq.NumericRange("page", 2, 5), wq.ConstantScoreQuery(wq.Term("body", "社会"), 2.5),
    wq.Or([wq.Term("body", "体育", boost=2.0), wq.Phrase("body_grams", ["经济", "济发"])], boost=0.5)])
def test_other_whoosh_queries_rank_as_whoosh_does(index, query):
    """Kinds ``to_whoosh`` does not build step through Whoosh's own matchers."""
    searcher = index._searcher()
    expected = sorted(_whoosh(searcher, query), key=lambda item: (-item[0], item[1]))
    top, total = ranked(searcher, query, None)
    _same(top, expected)
    assert total == len(expected) > 0


def _covers(places, count: int) -> bool:
    """Whether pairs at ``places`` (pair k: characters k, k+1) cover all ``count + 1`` characters."""
    return {c for k in places for c in (k, k + 1)} == set(range(count + 1))


@given(st.lists(st.integers(0, 50), min_size=1, max_size=9))
def test_a_phrase_reads_the_cheapest_pairs_that_cover_it(costs):
    places = _covering(costs)
    assert places == sorted(places) and _covers(places, len(costs))
    cheapest = min(sum(costs[k] for k in chosen) for size in range(1, len(costs) + 1)
                   for chosen in itertools.combinations(range(len(costs)), size) if _covers(chosen, len(costs)))
    assert sum(costs[k] for k in places) == cheapest


def test_a_long_phrase_needs_every_pair_in_a_row(tmp_path):
    add_articles(tmp_path, [{"id": "whole", "body": "今年春耕贷款支持农业发展。"},
                            {"id": "apart", "body": "春耕。耕贷。贷款。款支。支持。持农。农业。业发。发展。"},
                            {"id": "one off", "body": "春耕贷款支援农业发展。春耕贷"}])
    index = Index.open(tmp_path)
    assert [hit.id for hit in index.search('"春耕贷款支持农业发展"').hits] == ["whole"]
    assert [hit.id for hit in index.search('"款支持农"').hits] == ["whole"]
    assert sorted(hit.id for hit in index.search('"耕贷款支"').hits) == ["one off", "whole"]


def test_a_phrase_of_pairs_that_do_not_chain_reads_them_all(tmp_path):
    add_articles(tmp_path, [{"id": "gap", "body": "春耕款支"}, *({"id": f"loan{n}", "body": "贷款"} for n in range(5))])
    searcher = Index.open(tmp_path)._searcher()
    # 贷款 is the dearest of the three: a cover of the chained pairs would skip it
    assert ranked(searcher, wq.Phrase("body_grams", ["春耕", "贷款", "款支"]), None) == ([], 0)
    assert ranked(searcher, wq.Phrase("body_grams", ["春耕", "耕款", "款支"]), None)[1] == 1
