"""A segment's columns as numpy arrays, read once and kept with the segment.

Sorting by date and counting facets read a column value for every matching
article; through Whoosh's column reader that is a Python call each (about
3 µs). Here a segment's column is read whole the first time it is asked
for and kept with the segment's per-document reader, which lives as long
as the segment does: numbers as an array, text values (one or several per
article) as codes into the segment's distinct values.
"""

from __future__ import annotations

from collections import Counter

import numpy as np


def numeric_column(reader, name: str) -> np.ndarray:
    """A segment's values of a numeric column (0 where missing)."""
    columns = _kept(reader)
    if name not in columns:
        columns[name] = np.array([value or 0 for value in reader.column_reader(name)], dtype=np.int64)
    return columns[name]


def column_values(searcher, name: str, docnums: np.ndarray) -> np.ndarray:
    """The values of numeric column ``name`` (0 where missing) for the searcher's documents ``docnums``."""
    values = np.zeros(len(docnums), dtype=np.int64)
    for reader, inside, local in _by_segment(searcher, docnums):
        values[inside] = numeric_column(reader, name)[local]
    return values


def value_counts(searcher, name: str, docnums: np.ndarray, separator: str | None = None) -> Counter:
    """How many of the searcher's documents ``docnums`` hold each value of
    text column ``name`` (empty values left out); with a ``separator``, a
    column value holds several (``"王比学,姜洁"``), each counted."""
    counts: Counter = Counter()
    for reader, _, local in _by_segment(searcher, docnums):
        values, starts, codes = _coded_column(reader, name, separator)
        begin = starts[local]
        lengths = starts[local + 1] - begin
        firsts = np.cumsum(lengths) - lengths  # where each document's codes start among those picked
        picked = codes[np.arange(lengths.sum()) + np.repeat(begin - firsts, lengths)]
        tally = np.bincount(picked, minlength=len(values))
        for code in np.flatnonzero(tally).tolist():
            counts[values[code]] += int(tally[code])
    return counts


def _coded_column(reader, name: str, separator: str | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A segment's text column as its distinct values and, for document d,
    the codes ``codes[starts[d]:starts[d + 1]]`` of the values it holds."""
    columns = _kept(reader)
    key = (name, separator)
    if key not in columns:
        code_of: dict[str, int] = {}
        starts, codes = [0], []
        for value in reader.column_reader(name):
            parts = value.split(separator) if separator and value else [value]
            codes.extend(code_of.setdefault(part, len(code_of)) for part in parts if part)
            starts.append(len(codes))
        columns[key] = (list(code_of), np.array(starts, dtype=np.int64), np.array(codes, dtype=np.int64))
    return columns[key]


def _by_segment(searcher, docnums: np.ndarray):
    """``(segment reader, positions in docnums, segment's document numbers)`` of each segment holding some."""
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        inside = (docnums >= offset) & (docnums < offset + reader.doc_count_all())
        if inside.any():
            yield reader, inside, docnums[inside] - offset


def _kept(reader) -> dict:
    return reader._perdoc.__dict__.setdefault("_zhsearch_columns", {})
