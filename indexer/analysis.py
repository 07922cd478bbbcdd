"""Whoosh analyzers for Chinese newspaper text.

Two tokenizers, both honouring Whoosh's whole tokenizer contract (ordinal
``pos``, ``startchar``/``endchar`` into the text as given, ``mode``,
``start_pos``/``start_char``, ``tokenize=False``):

* ``ChineseTokenizer`` — words for ranking. Text is folded
  (``indexer.normalize``), hanzi runs are cut by jieba, Latin letters and
  digits stay whole (``gdp``, ``5g``, ``3.6``), punctuation is dropped. In
  ``index`` mode the two- and three-character dictionary words inside a longer
  word are added at the same position (``人民政府`` also yields ``人民``,
  ``政府``), so a short query word finds a longer printed word.
* ``CharTokenizer`` — every non-space character, folded, for exact phrases:
  a quoted query is a phrase of consecutive characters, so it matches any
  substring of the printed text whatever jieba made of it (``"市委常"``).
  Whitespace is skipped, so a phrase matches across a line or column break.

Both are pickled into the index schema: keep their import paths stable.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from whoosh.analysis import Token, Tokenizer

from indexer import segment
from indexer.normalize import fold, fold_text, original_span

#: Bump when tokenization changes: indexes built before must be rebuilt.
ANALYSIS_VERSION = 1

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: One token candidate in folded text: a hanzi run (cut further by jieba), or
#: a run of letters/digits from any other script, keeping decimals (``3.6``).
WORD_RUN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<alnum>(?:(?![{HAN}])[^\W_])+(?:\.\d+)*)")


class _FoldingTokenizer(Tokenizer):
    """Whoosh's tokenizer contract over folded text; subclasses say where the
    tokens are with ``_spans(folded, mode)``: ``(position, start, text)``
    in folded coordinates."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _filled(token, value, start_pos, start_char, start_char + len(value), keeporiginal)
            return
        folded, offsets = fold(value)
        for pos, start, text in self._spans(folded, mode):
            first, last = original_span(offsets, start, start + len(text))
            yield _filled(token, text, start_pos + pos, start_char + first, start_char + last, keeporiginal)

    def _spans(self, folded: str, mode: str):
        raise NotImplementedError


class ChineseTokenizer(_FoldingTokenizer):
    """Folded words: jieba words for hanzi, whole runs for letters and digits."""

    def _spans(self, folded: str, mode: str):
        return _word_spans(folded, mode == "index")

    def term_counts(self, value: str) -> Counter:
        """How often each word occurs in ``value`` (index mode), in bulk."""
        return Counter(text for _, _, text in _word_spans(fold_text(value), True))

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """The positions of each word of ``value`` (index mode), in bulk."""
        where: dict[str, list[int]] = defaultdict(list)
        for pos, _, text in _word_spans(fold_text(value), True):
            where[text].append(pos)
        return where


def _word_spans(folded: str, with_subwords: bool):
    """``(position, start, word)`` for each word of folded text."""
    pos = 0
    for run in WORD_RUN.finditer(folded):
        if run.group("alnum"):
            yield pos, run.start(), run.group()
            pos += 1
            continue
        start = run.start()
        for word in segment.cut(run.group()):
            yield pos, start, word
            if with_subwords:
                for offset, piece in segment.subwords(word):
                    yield pos, start + offset, piece
            start += len(word)
            pos += 1


class CharTokenizer(_FoldingTokenizer):
    """Every non-space character of the folded text, one position each."""

    def _spans(self, folded: str, mode: str):
        pos = 0
        for index, char in enumerate(folded):
            if not char.isspace():
                yield pos, index, char
                pos += 1

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """The positions of each character of ``value``, in bulk."""
        where: dict[str, list[int]] = defaultdict(list)
        for pos, char in enumerate("".join(fold_text(value).split())):
            where[char].append(pos)
        return where


def _filled(token: Token, text: str, pos: int, startchar: int, endchar: int, keeporiginal: bool) -> Token:
    token.text = text
    token.boost = 1.0
    token.stopped = False
    if keeporiginal:
        token.original = text
    token.pos = pos
    token.startchar = startchar
    token.endchar = endchar
    return token


def words(text: str, mode: str = "query") -> list[str]:
    """The folded words of ``text`` as the word fields see them."""
    return [t.text for t in ChineseTokenizer()(text, mode=mode)]


def chars(text: str) -> list[str]:
    """The folded characters of ``text`` as the exact-match field sees them."""
    return [t.text for t in CharTokenizer()(text)]
