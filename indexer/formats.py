"""Posting formats that take an analyzer's bulk results instead of token objects.

Whoosh's formats pull one ``Token`` at a time through a generator and count
them in Python dictionaries. When the analyzer offers ``term_counts(value)``
or ``term_positions(value)`` (both tokenizers in ``indexer.analysis`` do),
these formats use them: the same postings, a fraction of the work. Other
analyzers, and non-index modes, take Whoosh's ordinary path.

Pickled into the index schema: keep the import path stable.
"""

from __future__ import annotations

import operator
from array import array
from itertools import accumulate

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
    """Term positions, from ``analyzer.term_positions``, stored compactly.

    A posting's value is a type code and the position deltas as a machine
    array (``H`` when every delta fits in 16 bits, else ``I``): no pickling,
    and about half of Whoosh's size before block compression.
    """

    def encode(self, poslist):
        deltas = array("I", poslist)
        if len(deltas) > 1:
            deltas[1:] = array("I", map(operator.sub, poslist[1:], poslist[:-1]))
        if not deltas or max(deltas) < 65536:
            return b"H" + array("H", deltas).tobytes()
        return b"I" + deltas.tobytes()

    def decode_positions(self, valuestring):
        deltas = array(chr(valuestring[0]))
        deltas.frombytes(valuestring[1:])
        return list(accumulate(deltas))

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]

    def word_values(self, value, analyzer, **kwargs):
        positions = getattr(analyzer, "term_positions", None)
        if positions is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        encode = self.encode
        return ((term, len(where), len(where) * boost, encode(where))
                for term, where in positions(value).items())
