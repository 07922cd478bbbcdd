"""Highlights and snippets: exact spans on the printed text, whole sentences, long texts."""

import random
import re

from query.snippets import SENTENCE_ENDS, highlight_spans, make_snippet, opening

SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}]*(?:[{SENTENCE_ENDS}]+[”’」』)）]*|$)")


def test_a_match_split_by_a_line_break_or_stray_space_is_one_span():
    text = "今天浙商\n银 行宣布。"
    assert highlight_spans(text, ["浙商银行"]) == [(2, 8)]


def test_overlapping_and_touching_matches_merge():
    assert highlight_spans("哈哈哈，哈", ["哈哈"]) == [(0, 3)]
    assert highlight_spans("浙商银行", ["浙商", "银行"]) == [(0, 4)]
    assert highlight_spans("abab", ["aba", "bab"]) == [(0, 4)]


def test_folded_text_lights_up_for_a_folded_needle():
    text = "全角ＡＢＣ與報紙"
    assert [text[s:e] for s, e in highlight_spans(text, ["abc", "报纸"])] == ["ＡＢＣ", "報紙"]


def test_needles_with_whitespace_or_nothing_match_nothing():
    assert highlight_spans("a b", ["a b"]) == []
    assert highlight_spans("文本", [""]) == []
    assert highlight_spans("", ["文本"]) == []


def _reference_snippet(text, spans, size=120):
    """The snippet as first written: every sentence of the text, the one
    holding the most highlights whole (the first such), then as many
    following sentences as fit."""
    parts = [(m.start(), m.end()) for m in SENTENCE.finditer(text) if m.end() > m.start()]
    counts = [sum(1 for s, e in spans if start <= s and e <= end) for start, end in parts]
    best = max(range(len(parts)), key=lambda i: (counts[i], -i))
    start, end = parts[best]
    for _, following in parts[best + 1:]:
        if following - start > size:
            break
        end = following
    kept = text[start:end]
    return start + len(kept) - len(kept.lstrip()), end - len(kept) + len(kept.rstrip())


def test_snippet_of_a_long_text_is_the_best_sentence_with_what_follows():
    rng = random.Random(7)
    words = ["发展", "改革", "法律", "人民", "”", "。", "；", "\n", "\n\n", "，", "合同", "期限内", "！”"]
    for _ in range(200):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 3000)))
        spans = highlight_spans(text, ["期限内", "合同"])
        snippet = make_snippet(text, spans)
        assert snippet.text == text[snippet.start:snippet.end]
        start, end = _reference_snippet(text, spans)
        if end - start <= 180:  # longer: cut to a window around the first highlight
            assert (snippet.start, snippet.end) == (start, end)


def test_snippet_skips_to_the_sentence_with_most_highlights():
    filler = "这是一个普通的句子。\n" * 5000
    text = filler + "合同在期限内履行，合同有效。\n" + filler
    snippet = make_snippet(text, highlight_spans(text, ["合同", "期限内"]))
    assert snippet.text.startswith("合同在期限内履行")
    assert text.index("合同") == snippet.start


def test_closing_quotes_stay_with_their_sentence():
    text = "他说：“合同到期。”\n下一句。"
    snippet = make_snippet(text, highlight_spans(text, ["下一句"]))
    assert snippet.text == "下一句。"
    assert opening(text) == "他说：“合同到期。”"
    assert make_snippet("", []).text == ""
