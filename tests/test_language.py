"""The query language parses what users type and explains what it cannot read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from query.language import And, Filter, Not, Or, Phrase, QueryError, Words, date_range, parse


def test_words_and_phrases():
    assert parse('拱墅 "浙商银行"') == And((Words("拱墅"), Phrase("浙商银行")))


def test_exclusion_or_and_grouping():
    assert parse("(亚运 OR 奥运) -电竞") == And((Or((Words("亚运"), Words("奥运"))), Not(Words("电竞"))))


def test_hyphen_inside_a_word_is_not_an_exclusion():
    assert parse("COVID-19") == Words("COVID-19")


def test_chinese_and_english_field_names():
    assert parse("标题:亚运") == parse("title:亚运") == Words("亚运", "title")
    assert parse("记者:林韬") == parse("reporter:林韬") == parse("作者:林韬") == Filter("reporter", "林韬", "林韬")
    assert parse("通讯员:王凯") == Filter("correspondent", "王凯", "王凯")
    assert parse("报:人民日报") == parse("paper:人民日报") == Filter("paper", "人民日报", "人民日报")
    assert parse("版:2") == Filter("page", 2, 2)
    assert parse("page:1-4") == Filter("page", 1, 4)
    assert parse('标题:"冲刺半个月"') == Phrase("冲刺半个月", "title")


def test_full_width_syntax():
    assert parse("标题：亚运 -电竞") == And((Words("亚运", "title"), Not(Words("电竞"))))
    assert parse("＂浙商银行＂") == Phrase("浙商银行")


def test_pasted_chinese_text_is_text():
    assert parse("他说：“要抓紧”") == Words("他说：“要抓紧”")
    assert parse("“一带一路") == Words("“一带一路")
    assert parse('"重庆：山城"') == Phrase("重庆：山城")
    assert parse("（记者 王凯）") == And((Words("（记者"), Words("王凯）")))


@pytest.mark.parametrize("text, expected", [
    ("2020-03-01..2020-03-31", (20200301, 20200331)),
    ("2020-03", (20200301, 20200331)),
    ("2020年3月", (20200301, 20200331)),
    ("2020年3月5日", (20200305, 20200305)),
    ("2020-02", (20200201, 20200229)),
    ("2020", (20200101, 20201231)),
    ("2020-03..", (20200301, None)),
    ("..2020-03", (None, 20200331)),
])
def test_date_ranges(text, expected):
    assert date_range(text) == expected
    assert parse(f"date:{text}") == parse(f"日期:{text}") == Filter("date", *expected)


@pytest.mark.parametrize("query, message", [
    ('"浙商银行', "unbalanced quote"),
    ("(亚运 OR 奥运", "unbalanced '('"),
    ("亚运)", "unbalanced ')'"),
    ("foo:bar", "unknown field 'foo:'"),
    ("date:昨天", "cannot read the date"),
    ("date:2020-13", "no such date"),
    ("date:2020-03-31..2020-03-01", "runs backwards"),
    ("page:abc", "page must be a number"),
    ("标题:", "needs a value"),
])
def test_unreadable_queries_say_what_to_do(query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(query)


@pytest.mark.parametrize("query", ["", "   ", "()", '""'])
def test_empty_queries_parse_to_nothing(query):
    assert parse(query) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_string_parses_or_raises_query_error(text):
    try:
        parse(text)
    except QueryError:
        pass
