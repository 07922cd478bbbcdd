"""BM25F with each segment's document lengths read once into a table.

Whoosh's BM25F asks the segment for a document's field length at every
scored posting (a column read, a struct unpack and a byte-to-length
conversion: about a fifth of a common word's search). ``BM25F`` here gives
its scorers a table of the segment's lengths, built from the length
column's bytes the first time a field is scored in that segment.
"""

from __future__ import annotations

import numpy as np
from whoosh import scoring
from whoosh.util.numeric import byte_to_length

from indexer.codec import length_bytes_of

#: ``SegmentReader.doc_field_length`` of each length byte (0: no length).
_LENGTH_OF_BYTE = [None] + [byte_to_length(b) for b in range(1, 256)]


class BM25F(scoring.BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, scoring.BM25FScorer):
            table = self._table(searcher.reader(), fieldname)
            if table is not None:
                scorer.dfl = table.__getitem__
        return scorer

    @classmethod
    def length_array(cls, reader, fieldname: str) -> np.ndarray | None:
        """``_table`` as a numpy array (0 for no length), for scoring whole posting lists."""
        table = cls._table(reader, fieldname)
        if table is None:
            return None
        arrays = reader._perdoc.__dict__.setdefault("_length_arrays", {})
        if fieldname not in arrays:
            arrays[fieldname] = np.array([length or 0 for length in table], dtype=np.float64)
        return arrays[fieldname]

    @staticmethod
    def _table(reader, fieldname: str) -> list | None:
        """The lengths of ``fieldname`` in each document of the segment
        ``reader`` (kept with the segment's per-document reader)."""
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is None:  # not a segment
            return None
        tables = perdoc.__dict__.setdefault("_length_tables", {})
        if fieldname not in tables:
            stored = length_bytes_of(perdoc, fieldname)
            if stored is None:
                return None
            tables[fieldname] = [_LENGTH_OF_BYTE[byte] for byte in stored]
        return tables[fieldname]


def field_B(weighting: scoring.BM25F, fieldname: str) -> float:
    """The length normalisation a BM25F weighting gives ``fieldname`` (its
    ``B`` unless set for the field, as ``scoring.BM25F.scorer`` reads it)."""
    return weighting._field_B.get(fieldname, weighting.B)
