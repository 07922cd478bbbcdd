"""The tokenizers honour Whoosh's contract and fold Chinese text as documented."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collections import defaultdict

from indexer.analysis import ChineseTokenizer, GramTokenizer, chars, grams, words
from indexer.normalize import fold


def tokens(text, mode="query", tokenizer=ChineseTokenizer):
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in tokenizer()(text, positions=True, chars=True, mode=mode)]


def test_golden_words_positions_and_offsets():
    assert tokens("拱墅区与浙商银行签署协议") == [
        ("拱墅区", 0, 0, 3), ("与", 1, 3, 4), ("浙商", 2, 4, 6), ("银行", 3, 6, 8),
        ("签署", 4, 8, 10), ("协议", 5, 10, 12)]


def test_index_mode_adds_subwords_at_the_same_position():
    assert tokens("人民政府成立", mode="index") == [
        ("人民政府", 0, 0, 4), ("人民", 0, 0, 2), ("民政", 0, 1, 3), ("政府", 0, 2, 4),
        ("成立", 1, 4, 6)]


def test_digits_and_latin_are_kept_whole_and_lowercased():
    assert words("3.6万元的GDP增长，5G网络，见2版") == [
        "3.6", "万元", "的", "gdp", "增长", "5g", "网络", "见", "2", "版"]


def test_punctuation_is_dropped_and_no_stemming():
    assert words("“running”、《新闻》！") == ["running", "新闻"]


def test_one_character_words_are_kept():
    assert words("我和你的书") == ["我", "和", "你", "的", "书"]


def test_full_width_folds_to_half_width_with_offsets_on_the_original():
    text = "ＡＢＣ１２３ 和 abc123"
    result = tokens(text)
    assert [r[0] for r in result] == ["abc123", "和", "abc123"]
    assert text[result[0][2]:result[0][3]] == "ＡＢＣ１２３"


def test_traditional_folds_to_simplified():
    assert words("報紙") == words("报纸")
    assert chars("農業發展銀行") == "农业发展银行"


def test_ideographic_space_and_line_breaks_are_not_tokens():
    assert chars("杭\u3000州\n亚 运") == "杭州亚运"


def test_grams_are_character_pairs_across_line_breaks_then_the_last_character():
    assert tokens("杭 州\n亚", tokenizer=GramTokenizer) == [("杭州", 0, 0, 3), ("州亚", 1, 2, 5), ("亚", 2, 4, 5)]
    assert grams("市委常委") == ["市委", "委常", "常委"]
    assert grams(" 委 ") == ["委"] and grams("  ") == []


def test_expanding_fold_keeps_offsets_on_the_original():
    text = "约⑩号ﬁ…"
    for token, pos, start, end in tokens(text, tokenizer=GramTokenizer):
        assert token in fold(text[start:end])[0]
    folded, offsets = fold(text)
    assert folded == "约10号fi…" and offsets is not None
    assert [text[s:e] for _, _, s, e in tokens(text, tokenizer=GramTokenizer)] == [
        "约⑩", "⑩", "⑩号", "号ﬁ", "ﬁ", "ﬁ…", "…"]


def test_punctuation_keeps_its_width_for_exact_phrases():
    assert chars("（下转2版）") == "（下转2版）"
    assert chars("(下转２版)") == "(下转2版)"


def test_surrogate_pair_characters_are_one_token():
    text = "𠀀字𪚥"
    result = tokens(text, tokenizer=GramTokenizer)
    assert [text[s:e] for _, _, s, e in result] == ["𠀀字", "字𪚥", "𪚥"]


def test_start_pos_and_start_char_are_honoured():
    result = [(t.pos, t.startchar) for t in ChineseTokenizer()(
        "浙商银行", positions=True, chars=True, start_pos=10, start_char=100)]
    assert result == [(10, 100), (11, 102)]


def test_tokenize_false_yields_the_whole_value():
    assert [t.text for t in ChineseTokenizer()("浙商银行", tokenize=False)] == ["浙商银行"]


def test_query_side_finds_index_side():
    text = "浙江省杭州市拱墅区人民政府与浙商银行签署了战略合作协议"
    indexed = set(words(text, mode="index"))
    assert set(words("浙商银行 人民政府 战略合作")) <= indexed


def test_long_document_offsets():
    text = "拱墅区人民政府与浙商银行签署战略合作协议。" * 2000
    for token, _, start, end in tokens(text):
        assert fold(text[start:end])[0] == token


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("拱墅區区人民政府浙商銀行银行ＡＢＣabcXYZ１２３123 \u3000\n，。、…①.-")) | st.characters(),
               max_size=60))
def test_every_token_maps_to_its_source_text(text):
    for tokenizer in (ChineseTokenizer, GramTokenizer):
        last_pos = -1
        where = defaultdict(list)
        for token in tokenizer()(text, positions=True, chars=True, mode="index"):
            source = text[token.startchar:token.endchar]
            assert source, (text, token.text)
            assert token.text in "".join(fold(source)[0].split())
            assert token.pos >= last_pos
            last_pos = token.pos
            where[token.text].append(token.pos)
        bulk = {term: list(positions) for term, positions in tokenizer().term_positions(text).items()}
        assert bulk == where  # the bulk path sees the same tokens


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8))
def test_folding_a_text_folds_each_character_on_its_own(texts):
    from indexer.normalize import fold_text

    for text in texts:  # successive texts grow the table between calls
        assert fold_text(text) == "".join(fold_text(char) for char in text)
        assert fold(text)[0] == fold_text(text)
