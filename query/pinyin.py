"""Pinyin over the index's own vocabulary: spelling queries and "did you mean".

Every hanzi word of the index (headline and body words, and the two- to
four-character stretches inside them: ``拱墅`` from ``拱墅区``) is keyed by its
toneless pinyin, every reading of a character counted (``重庆`` is both
``chongqing`` and ``zhongqing``; ``ü`` is typed ``v`` or ``u``).

* ``spell("hangzhouyayunhui")`` splits letters into the fewest keys and
  returns the words each key stands for, most frequent first.
* ``homophone("拱树")`` returns a much more frequent word that sounds the
  same (``拱墅``), for "did you mean".

Pinyin never takes part in ordinary matching: a hanzi query matches only
its own characters (``景点`` never finds ``经典``).
"""

from __future__ import annotations

import itertools
import os
import pickle
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from indexer.analysis import HAN

#: Readings combined per word at most (characters with several readings multiply).
MAX_READINGS = 16
#: Longest stretch inside a vocabulary word that is keyed on its own.
MAX_STRETCH = 4
#: Words a spelled key may stand for.
MAX_ALTERNATIVES = 5
#: A homophone is suggested when it is in this many articles, and this many
#: times more than the query's word.
SUGGEST_MIN_ARTICLES, SUGGEST_RATIO = 3, 10
_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_HANZI_WORD = re.compile(f"[{HAN}]{{2,12}}")
_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=None)
def readings(char: str) -> tuple[str, ...]:
    """The toneless pinyin readings of one hanzi (``()`` when it has none)."""
    from pypinyin.pinyin_dict import pinyin_dict

    marked = pinyin_dict.get(ord(char))
    if not marked:
        return ()
    found = []
    for reading in marked.split(","):
        plain = reading.translate(_TONES)
        found.append(plain)
        if "v" in plain:
            found.append(plain.replace("v", "u"))
    return tuple(dict.fromkeys(found))


def keys(word: str) -> list[str]:
    """Every toneless pinyin spelling of ``word`` (at most ``MAX_READINGS``)."""
    options = [readings(char) for char in word]
    if not all(options):
        return []
    return ["".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_READINGS)]


class PinyinVocabulary:
    """Pinyin keys of an index's words, built from a Whoosh reader."""

    def __init__(self, reader, fields=("title", "body")):
        counts: dict[str, int] = defaultdict(int)
        for segment, _ in reader.leaf_readers():  # a multi-segment reader looks up every term again
            for field in fields:
                if field not in segment.indexed_field_names():
                    continue
                for raw, info in segment.iter_field(field):
                    term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    if _HANZI_WORD.fullmatch(term):
                        counts[term] += info.doc_frequency()
        stretches: dict[str, int] = defaultdict(int)
        for word, count in counts.items():
            for size in range(2, min(MAX_STRETCH, len(word)) + 1):
                for start in range(len(word) - size + 1):
                    piece = word[start:start + size]
                    stretches[piece] = max(stretches[piece], count)
        self.frequency = dict(stretches)
        by_key: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.frequency, key=lambda w: -self.frequency[w]):
            for key in keys(word):
                by_key[key].append(word)
        self._by_key = dict(by_key)
        self._longest = max((len(k) for k in self._by_key), default=0)

    @classmethod
    def cached(cls, path: Path, generation: int, reader) -> "PinyinVocabulary":
        """The vocabulary of index generation ``generation``, from ``path`` if
        it was saved for that generation, else built and saved there."""
        try:
            with open(path, "rb") as handle:
                saved_generation, vocabulary = pickle.load(handle)
            if saved_generation == generation and isinstance(vocabulary, cls):
                return vocabulary
        except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
            pass
        vocabulary = cls(reader)
        try:
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                pickle.dump((generation, vocabulary), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:  # a read-only index still answers, it just builds again next time
            pass
        return vocabulary

    def spell(self, letters: str) -> list[list[str]] | None:
        """Words for each part of ``letters`` read as pinyin (fewest parts), or ``None``."""
        letters = letters.lower()
        if not _LETTERS.fullmatch(letters):
            return None
        best: list[list[str] | None] = [[]] + [None] * len(letters)
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                key = letters[start:end]
                if best[start] is not None and key in self._by_key:
                    candidate = best[start] + [key]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        if not best[-1]:
            return None
        return [self._by_key[key][:MAX_ALTERNATIVES] for key in best[-1]]

    def homophone(self, word: str) -> str | None:
        """A much more frequent word spelled like ``word`` in pinyin, if any."""
        own = self.frequency.get(word, 0)
        best = None
        for key in keys(word):
            for other in self._by_key.get(key, ()):
                count = self.frequency[other]
                if (other != word and count >= SUGGEST_MIN_ARTICLES and count >= SUGGEST_RATIO * own
                        and (best is None or count > self.frequency[best])):
                    best = other
        return best
