"""Posting formats that take an analyzer's bulk results instead of token objects.

Whoosh's formats pull one ``Token`` at a time through a generator and count
them in Python dictionaries. When the analyzer offers ``term_counts(value)``
or ``term_positions(value)`` (both tokenizers in ``indexer.analysis`` do),
these formats use them: the same postings, a fraction of the work. Other
analyzers, and non-index modes, take Whoosh's ordinary path.

Pickled into the index schema: keep the import path stable.
"""

from __future__ import annotations

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint


class BulkFrequency(Frequency):
    """Term frequencies (no positions), from ``analyzer.term_counts``."""

    def word_values(self, value, analyzer, **kwargs):
        counts = getattr(analyzer, "term_counts", None)
        if counts is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return ((term, count, count * boost, pack_uint(count)) for term, count in counts(value).items())


class BulkPositions(Positions):
    """Term positions, from ``analyzer.term_positions``."""

    def word_values(self, value, analyzer, **kwargs):
        positions = getattr(analyzer, "term_positions", None)
        if positions is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        encode = self.encode
        return ((term, len(where), len(where) * boost, encode(where))
                for term, where in positions(value).items())
