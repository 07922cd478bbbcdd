"""jieba's dictionary on disk: segmenting a few words without loading a segmenter.

Loading jieba-rs builds its whole dictionary in memory (349,046 words, about
0.2 s; jieba takes longer), while a search from the command line segments a
query of a few characters. This module keeps the dictionary's words and
frequencies in an SQLite table in zhsearch's cache folder, written once from
jieba's own ``dict.txt`` by jieba's own reader (a few seconds, by the first
process that needs it), and segments a run of hanzi as jieba does without its
HMM: the most probable route through the dictionary words inside the run
(``Tokenizer.get_DAG`` and ``calc``), reading only the frequencies of the
run's own substrings.

``indexer.segment`` uses it for the first characters a process segments;
``tests/test_dictionary.py`` checks it gives the segmenter's words on the dev
corpus.
"""

from __future__ import annotations

import fcntl
import importlib.util
import math
import os
import sqlite3
from contextlib import closing
from pathlib import Path

#: Substrings looked up in one SQLite statement (SQLite before 3.32 allows 999 parameters).
LOOKUP_BATCH = 900


class Dictionary:
    """jieba's default dictionary, read from its table word by word.

    ``cut`` and ``cut_for_search`` give jieba's ``lcut(run, HMM=False)`` and
    ``lcut_for_search(run, HMM=False)`` for a run of hanzi that jieba keeps
    whole (U+4E00-U+9FD5, its ``re_han_default``).
    """

    def __init__(self, path: Path):
        self.path = path
        facts = dict(self._rows("SELECT name, value FROM facts"))
        #: The sum of all frequencies, and the longest word's length in characters.
        self.total, self.longest = facts["total"], facts["longest"]

    def _rows(self, sql: str, parameters: list | tuple = ()) -> list[tuple]:
        """The rows of one statement, on a connection of its own: safe in any
        thread and in a forked process (a fraction of a millisecond)."""
        with closing(sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)) as db:
            return db.execute(sql, parameters).fetchall()

    def frequencies(self, text: str) -> dict[str, int]:
        """``{word: frequency}`` for each dictionary word inside ``text``."""
        pieces = list({text[start:end] for start in range(len(text))
                       for end in range(start + 1, min(len(text), start + self.longest) + 1)})
        found: dict[str, int] = {}
        for first in range(0, len(pieces), LOOKUP_BATCH):
            batch = pieces[first:first + LOOKUP_BATCH]
            found.update(self._rows(f"SELECT word, freq FROM words WHERE word IN ({','.join('?' * len(batch))})",
                                    batch))
        return found

    def cut(self, run: str) -> list[str]:
        return _route(run, self.frequencies(run), self.total, self.longest)

    def cut_for_search(self, run: str) -> list[str]:
        """The words of ``run``, each after the dictionary words of two and
        three characters inside it."""
        freq = self.frequencies(run)
        pieces = []
        for word in _route(run, freq, self.total, self.longest):
            for size in (2, 3):
                if len(word) > size:
                    pieces += [gram for gram in (word[i:i + size] for i in range(len(word) - size + 1))
                               if gram in freq]
            pieces.append(word)
        return pieces


def _route(run: str, freq: dict[str, int], total: int, longest: int) -> list[str]:
    """jieba's most probable split of ``run``: each word scores the log of its
    frequency share (a character outside the dictionary counts once), ties go
    to the longer word; the same arithmetic in the same order as jieba's."""
    logtotal = math.log(total)
    size = len(run)
    route = [(0.0, 0)] * (size + 1)
    for start in range(size - 1, -1, -1):
        ends = [end for end in range(start + 1, min(size, start + longest) + 1) if run[start:end] in freq]
        route[start] = max((math.log(freq.get(run[start:end]) or 1) - logtotal + route[end][0], end)
                           for end in ends or [start + 1])
    words, start = [], 0
    while start < size:
        end = route[start][1]
        words.append(run[start:end])
        start = end
    return words


def source() -> Path | None:
    """jieba's ``dict.txt``, found without importing jieba (``None`` without jieba)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "dict.txt"
    return path if path.is_file() else None


def table_path(folder: Path, dictionary: Path) -> Path:
    """Where the table of ``dictionary`` (a ``dict.txt``) lives in ``folder``:
    another file, or the same one changed, has another table."""
    stat = dictionary.stat()
    return folder / f"jieba-dict-{stat.st_size}-{stat.st_mtime_ns}.sqlite"


def open_dictionary(folder: Path) -> Dictionary | None:
    """The table of jieba's dictionary in ``folder``, written first if
    missing; ``None`` when it cannot be had now (no jieba, a folder it cannot
    write, another process writing it)."""
    dictionary = source()
    if dictionary is None:
        return None
    path = table_path(folder, dictionary)
    try:
        if not path.exists() and not _write(dictionary, path):
            return None
        return Dictionary(path)
    except (OSError, sqlite3.Error):
        return None


def _write(dictionary: Path, path: Path) -> bool:
    """Write the table for ``dictionary`` to ``path`` (atomically); False
    when another process is writing it."""
    with open(path.with_suffix(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if path.exists():
            return True
        import jieba  # its reader defines what the dictionary holds

        with open(dictionary, "rb") as handle:
            freq, total = jieba.Tokenizer.gen_pfdict(handle)
        words = sorted((word, count) for word, count in freq.items() if count)  # count 0: a prefix only
        partial = path.with_suffix(f".{os.getpid()}.partial")
        try:
            with closing(sqlite3.connect(partial)) as db, db:  # closed, after a commit
                db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
                db.execute("CREATE TABLE facts (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
                db.executemany("INSERT INTO words VALUES (?, ?)", words)
                db.executemany("INSERT INTO facts VALUES (?, ?)",
                               [("total", total), ("longest", max(len(word) for word, _ in words))])
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return True
