"""The jieba word segmenter, loaded once and lazily.

jieba builds its prefix dictionary on first use (about a second, or a cache
file read). That must never happen at import time: ``zhsearch --help`` and a
search that needs no segmentation stay instant. The cache lives in a folder
zhsearch owns (``$ZHSEARCH_CACHE``, else ``~/.cache/zhsearch``) and jieba's
start-up logging is silenced.

jieba-rs (``rjieba``) gives the same words as jieba 0.42.1 ten times faster
(``tests/test_segment.py`` checks it on the dev corpus); jieba is the fallback.

Segmentation runs without jieba's HMM: the HMM guesses unknown words from
their context, so the same string can split differently in a query and in an
article. The dictionary path keeps both sides identical.

A process that segments little (a search from the command line: a query of a
few words) does not load the segmenter: its first ``LOOKUP_CHARS``
characters are split by looking up only the words they contain in jieba's
dictionary on disk (``indexer.dictionary``), the same words the segmenter
gives. The segmenter loads for the rest, for a user dictionary, and for
characters jieba does not split as hanzi.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
from functools import lru_cache, partial
from pathlib import Path
from types import SimpleNamespace

#: Characters a process segments from the dictionary on disk before it loads
#: the segmenter (a long query is a few hundred, an article thousands).
LOOKUP_CHARS = 1000
#: Runs jieba and jieba-rs both split as one block of hanzi (jieba's
#: ``re_han_default``; jieba splits rarer hanzi one by one, jieba-rs not).
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]+")

_lock = threading.Lock()
_backend = None
#: Extra dictionary words in use (see ``use_words``).
_user_words: tuple[str, ...] = ()
_words_changed = 0
#: The dictionary on disk once opened (``False``: not to be had), and the
#: characters split with it so far.
_dictionary = None
_looked_up = 0


def cache_dir() -> Path:
    """The folder zhsearch keeps its caches in (created on demand)."""
    path = Path(os.environ.get("ZHSEARCH_CACHE") or Path.home() / ".cache" / "zhsearch")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_jieba():
    import jieba

    jieba.setLogLevel(logging.CRITICAL)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.initialize()
    for word in _user_words:
        tokenizer.add_word(word)
    return SimpleNamespace(name="jieba", cut=partial(tokenizer.lcut, HMM=False),
                           cut_for_search=partial(tokenizer.lcut_for_search, HMM=False))


def _load_rjieba():
    import rjieba

    return SimpleNamespace(name="rjieba", cut=partial(rjieba.cut, hmm=False),
                           cut_for_search=partial(rjieba.cut_for_search, hmm=False))


def backend() -> SimpleNamespace:
    """The loaded segmenter: ``rjieba`` (jieba-rs, same words, ten times faster)
    when installed, no user words are in use and ``$ZHSEARCH_SEGMENTER`` is
    not ``jieba``; else jieba."""
    global _backend
    if _backend is None:
        with _lock:
            if _backend is None:
                wanted = os.environ.get("ZHSEARCH_SEGMENTER", "auto")
                loader = _load_jieba
                if wanted != "jieba" and not _user_words and importlib.util.find_spec("rjieba"):
                    loader = _load_rjieba
                _backend = loader()
    return _backend


def use_words(words: tuple[str, ...]) -> None:
    """Segment with these extra dictionary words from now on (names kept whole).

    The words belong to an index (``indexer.userdict``): one process works
    with one user dictionary at a time.
    """
    global _backend, _user_words, _words_changed
    with _lock:
        if tuple(words) != _user_words:
            _user_words = tuple(words)
            _backend = None
            _words_changed += 1
            subword_texts.cache_clear()


def dictionary_version() -> int:
    """A number that changes whenever ``use_words`` changes the words: what
    remembers a segmentation keys it with this."""
    return _words_changed


def _segmenter(run: str):
    """What splits ``run``: the dictionary on disk while the characters this
    process split so far, ``run`` included, are at most ``LOOKUP_CHARS`` (and
    nothing loaded the segmenter); else the segmenter."""
    global _dictionary, _looked_up
    if _backend is None and not _user_words and _looked_up + len(run) <= LOOKUP_CHARS \
            and _JIEBA_HAN.fullmatch(run):
        with _lock:
            if _dictionary is None:
                _dictionary = _open_dictionary()
            _looked_up += len(run)
        if _dictionary:
            return _dictionary
    return backend()


def _open_dictionary():
    """The dictionary on disk, or ``False`` when it cannot be had (no cache folder)."""
    from indexer.dictionary import open_dictionary

    try:
        return open_dictionary(cache_dir()) or False
    except OSError:
        return False


def cut(run: str) -> list[str]:
    """Split a run of hanzi into dictionary words (no HMM guessing)."""
    return _segmenter(run).cut(run)


@lru_cache(maxsize=1 << 16)
def subword_texts(word: str) -> tuple[str, ...]:
    """The subwords of ``subwords(word)`` alone, remembered (words recur)."""
    return tuple(piece for _, piece in subwords(word))


def subwords(word: str) -> list[tuple[int, str]]:
    """Dictionary words of two or three characters inside a longer word.

    Returns ``(offset, subword)`` pairs as jieba's search mode finds them:
    ``人民政府`` → ``人民`` at 0, ``民政`` at 1, ``政府`` at 2.
    """
    if len(word) <= 2:
        return []
    return [(word.find(piece), piece) for piece in _segmenter(word).cut_for_search(word) if piece != word]
