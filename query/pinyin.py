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

import contextlib
import itertools
import os
import re
import sqlite3
import threading
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


def keys(word: str, reading=readings) -> list[str]:
    """Every toneless pinyin spelling of ``word`` (at most ``MAX_READINGS``);
    ``reading``: the readings of one character."""
    options = [reading(char) for char in word]
    if not all(options):
        return []
    return ["".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_READINGS)]


class PinyinVocabulary:
    """Pinyin keys of an index's words, in an SQLite file kept with the index:
    a lookup reads a few rows, so a process answering one query does not
    load the whole vocabulary (11.5 MB for 22,690 articles: 1.5 s)."""

    def __init__(self, connection: sqlite3.Connection):
        self._db = connection
        self._lock = threading.Lock()  # one connection, shared by the index's threads
        self._longest = self._meta("longest") or 0

    @classmethod
    def cached(cls, path: Path, generation: int, reader) -> "PinyinVocabulary":
        """The vocabulary of index generation ``generation``, from ``path`` if
        it was saved for that generation, else built from ``reader`` and saved
        there (kept in memory if the index cannot be written)."""
        saved = cls._saved(path, generation)
        if saved is not None:
            return saved
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            temporary.unlink(missing_ok=True)
            cls._build(sqlite3.connect(temporary), generation, reader).close()
            os.replace(temporary, path)
            saved = cls._saved(path, generation)
        except (OSError, sqlite3.Error):  # a read-only index still answers, it just builds again next time
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        if saved is not None:
            return saved
        return cls(cls._build(sqlite3.connect(":memory:", check_same_thread=False), generation, reader))

    @classmethod
    def _saved(cls, path: Path, generation: int) -> "PinyinVocabulary | None":
        """The vocabulary saved at ``path``, if it is that of ``generation``."""
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            vocabulary = cls(connection)
            if vocabulary._meta("generation") == generation:
                return vocabulary
        except sqlite3.Error:  # not a vocabulary (an older format, a torn file)
            pass
        connection.close()
        return None

    @staticmethod
    def _build(db: sqlite3.Connection, generation: int, reader) -> sqlite3.Connection:
        frequency = _frequencies(reader)
        spellings: dict[str, list[str]] = defaultdict(list)
        for word in sorted(frequency, key=lambda w: -frequency[w]):
            for key in keys(word):
                spellings[key].append(word)
        db.executescript("""
            CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER);
            CREATE TABLE words (word TEXT PRIMARY KEY, frequency INTEGER) WITHOUT ROWID;
            CREATE TABLE spellings (key TEXT, rank INTEGER, word TEXT, PRIMARY KEY (key, rank)) WITHOUT ROWID;
            CREATE TABLE readings (char TEXT PRIMARY KEY, readings TEXT) WITHOUT ROWID;
        """)
        from pypinyin.pinyin_dict import pinyin_dict  # a query reads them from here: pypinyin loads in 0.4 s

        db.executemany("INSERT INTO readings VALUES (?, ?)",
                       ((chr(code), ",".join(readings(chr(code)))) for code in pinyin_dict))
        db.executemany("INSERT INTO words VALUES (?, ?)", frequency.items())
        db.executemany("INSERT INTO spellings VALUES (?, ?, ?)",
                       ((key, rank, word) for key, options in spellings.items() for rank, word in enumerate(options)))
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("generation", generation), ("longest", max(map(len, spellings), default=0))])
        db.commit()
        return db

    def _meta(self, name: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def frequency(self, word: str) -> int:
        """In how many articles ``word`` (or a longer word holding it) occurs."""
        with self._lock:
            row = self._db.execute("SELECT frequency FROM words WHERE word = ?", (word,)).fetchone()
        return row[0] if row else 0

    def spell(self, letters: str) -> list[list[str]] | None:
        """Words for each part of ``letters`` read as pinyin (fewest parts), or ``None``."""
        letters = letters.lower()
        if not _LETTERS.fullmatch(letters):
            return None
        pieces = {letters[start:end] for end in range(1, len(letters) + 1)
                  for start in range(max(0, end - self._longest), end)}
        with self._lock:
            known = {key for (key,) in self._db.execute(
                f"SELECT DISTINCT key FROM spellings WHERE key IN ({','.join('?' * len(pieces))})",
                list(pieces))}
        best: list[list[str] | None] = [[]] + [None] * len(letters)
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                key = letters[start:end]
                if best[start] is not None and key in known:
                    candidate = best[start] + [key]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        if not best[-1]:
            return None
        return [self._words(key, MAX_ALTERNATIVES) for key in best[-1]]

    def _words(self, key: str, limit: int = -1) -> list[str]:
        """The words spelled ``key``, most frequent first."""
        with self._lock:
            return [word for (word,) in self._db.execute(
                "SELECT word FROM spellings WHERE key = ? ORDER BY rank LIMIT ?", (key, limit))]

    def _readings(self, char: str) -> tuple[str, ...]:
        """``readings(char)``, as saved with the vocabulary."""
        with self._lock:
            row = self._db.execute("SELECT readings FROM readings WHERE char = ?", (char,)).fetchone()
        return tuple(row[0].split(",")) if row and row[0] else ()

    def homophone(self, word: str) -> str | None:
        """A much more frequent word spelled like ``word`` in pinyin, if any."""
        own = self.frequency(word)
        best, best_count = None, 0
        for key in keys(word, self._readings):
            with self._lock:
                rows = self._db.execute("SELECT s.word, w.frequency FROM spellings s JOIN words w USING (word) "
                                        "WHERE s.key = ? ORDER BY s.rank", (key,)).fetchall()
            for other, count in rows:
                if (other != word and count >= SUGGEST_MIN_ARTICLES and count >= SUGGEST_RATIO * own
                        and (best is None or count > best_count)):
                    best, best_count = other, count
        return best


def _frequencies(reader, fields=("title", "body")) -> dict[str, int]:
    """Each hanzi word of the index and each 2- to ``MAX_STRETCH``-character
    stretch inside one: in how many articles (the most of the words holding it)."""
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
    return dict(stretches)
