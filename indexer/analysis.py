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
* ``GramTokenizer`` — overlapping character pairs of the folded text, for
  exact phrases: ``市委常委`` yields ``市委 委常 常委`` at positions 0, 1, 2,
  and the last character alone (``委``) at position 3. A quoted query is a
  phrase of its pairs, so it matches any substring of the printed text
  whatever jieba made of it (``"市委常"``); a pair is far rarer than either
  of its characters, which keeps phrase matching fast. Whitespace is
  skipped, so a phrase matches across a line or column break.

Both are pickled into the index schema: keep their import paths stable.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict

from whoosh.analysis import Token, Tokenizer

from indexer import segment
from indexer.normalize import fold, fold_text, original_span

#: Bump when tokenization changes: indexes built before must be rebuilt.
ANALYSIS_VERSION = 2

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: One token candidate in folded text: a hanzi run (cut further by jieba), or
#: a run of letters/digits from any other script, keeping decimals (``3.6``).
WORD_RUN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<alnum>(?:(?![{HAN}])[^\W_])+(?:\.\d+)*)")


class _FoldingTokenizer(Tokenizer):
    """Whoosh's tokenizer contract over folded text; subclasses say where the
    tokens are with ``_spans(folded, mode)``: ``(position, start, end, text)``
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
        for pos, start, end, text in self._spans(folded, mode):
            first, last = original_span(offsets, start, end)
            yield _filled(token, text, start_pos + pos, start_char + first, start_char + last, keeporiginal)

    def _spans(self, folded: str, mode: str):
        raise NotImplementedError


class ChineseTokenizer(_FoldingTokenizer):
    """Folded words: jieba words for hanzi, whole runs for letters and digits."""

    def _spans(self, folded: str, mode: str):
        return _word_spans(folded, mode == "index")

    def term_counts(self, value: str) -> Counter:
        """How often each word occurs in ``value`` (index mode), in bulk."""
        found = []
        for run in WORD_RUN.finditer(fold_text(value)):
            if run.group("alnum"):
                found.append(run.group())
                continue
            for word in segment.cut(run.group()):
                found.append(word)
                if len(word) > 2:
                    found.extend(segment.subword_texts(word))
        return Counter(found)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """The positions of each word of ``value`` (index mode), in bulk."""
        where: dict[str, list[int]] = defaultdict(list)
        for pos, _, _, text in _word_spans(fold_text(value), True):
            where[text].append(pos)
        return where


def _word_spans(folded: str, with_subwords: bool):
    """``(position, start, end, word)`` for each word of folded text."""
    pos = 0
    for run in WORD_RUN.finditer(folded):
        if run.group("alnum"):
            yield pos, run.start(), run.end(), run.group()
            pos += 1
            continue
        start = run.start()
        for word in segment.cut(run.group()):
            yield pos, start, start + len(word), word
            if with_subwords:
                for offset, piece in segment.subwords(word):
                    yield pos, start + offset, start + offset + len(piece), piece
            start += len(word)
            pos += 1


class GramTokenizer(_FoldingTokenizer):
    """Each pair of neighbouring non-space characters of the folded text, at
    the position of its first; the last character alone closes the text."""

    def _spans(self, folded: str, mode: str):
        where = [index for index, char in enumerate(folded) if not char.isspace()]
        for pos, (start, end) in enumerate(zip(where, where[1:])):
            yield pos, start, end + 1, folded[start] + folded[end]
        if where:
            yield len(where) - 1, where[-1], where[-1] + 1, folded[where[-1]]

    def term_positions(self, value: str) -> dict[str, array]:
        """The positions of each pair of ``value``, in bulk (machine arrays: a
        body of ten million characters holds ten million positions)."""
        where: dict[str, array] = defaultdict(lambda: array("I"))
        squeezed = "".join(fold_text(value).split())
        for pos in range(len(squeezed) - 1):
            where[squeezed[pos:pos + 2]].append(pos)
        if squeezed:
            where[squeezed[-1]].append(len(squeezed) - 1)
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


def chars(text: str) -> str:
    """The folded non-space characters of ``text``: what an exact phrase must match."""
    return "".join(fold_text(text).split())


def grams(text: str) -> list[str]:
    """The consecutive character pairs a phrase for ``text`` asks the gram fields
    for (one character stands alone)."""
    letters = chars(text)
    return [letters[i:i + 2] for i in range(len(letters) - 1)] or ([letters] if letters else [])
