"""Ranking by whole posting lists: a query's Whoosh matcher tree scored with numpy.

Whoosh ranks a page of hits one document at a time: a Python call per
matching document at every node of the matcher tree, so a common word costs
tens of milliseconds per hundred thousand articles. Here each node of the
same tree is evaluated at once for the whole segment:

* a term reads its posting list whole (``indexer.codec.posting_arrays``) and
  scores it with its own scorer's BM25F parameters and the segment's field
  lengths;
* unions, intersections, optional parts (``AndMaybe``), exclusions, boosts
  and deletions combine the arrays, adding scores in the order Whoosh's
  matchers add them — the same floating-point operations, so the same
  scores, the same order, ties by document number;
* a phrase is its terms' intersection, scored the same way, kept where the
  phrase matcher finds the words in order; nodes of other kinds are read by
  stepping through their own Whoosh matcher.

When only the top N are wanted and the query is ``AndMaybe(words,
verbatim)`` (a query of several words), the verbatim part is checked only
for articles whose words' score plus the verbatim part's highest possible
score reaches the N-th best words' score: no other article can enter the page.
"""

from __future__ import annotations

import numpy as np
from whoosh import scoring
from whoosh.matching import ListMatcher, binary, wrappers
from whoosh.query.spans import SpanNear2

from indexer.codec import BlockMatcher, block_postings, posting_arrays, runs_summed
from indexer.formats import BulkPositions
from query.scoring import BM25F

_NOTHING = (np.empty(0, dtype=np.int64), np.empty(0))


def ranked(searcher, query, wanted: int | None, sortedby: str | None = None,
           reverse: bool = False) -> tuple[list[tuple[float, int]], int]:
    """The first ``wanted`` (all if None) ``(score, document number)`` pairs
    of ``query`` on ``searcher`` and how many documents match. Best first,
    ties by lower number; with ``sortedby`` (a numeric column: ``date``), by
    its value (descending if ``reverse``), then best first."""
    context = searcher.context()
    scores, numbers, keys = [], [], []
    for subsearcher, offset in searcher.leaf_searchers():
        segment = _Segment(subsearcher.reader())
        ids, values = segment.top(query.matcher(subsearcher, context), None if sortedby else wanted)
        scores.append(values)
        numbers.append(ids + offset)
        if sortedby:
            keys.append(segment.column(sortedby)[ids])
    if not scores:
        return [], 0
    scores, numbers = np.concatenate(scores), np.concatenate(numbers)
    if sortedby:
        key = np.concatenate(keys)
        order = np.lexsort((numbers, -scores, -key if reverse else key))[:wanted]
    else:
        order = _best(scores, numbers, wanted)
    return list(zip(scores[order].tolist(), numbers[order].tolist())), len(numbers)


def _best(scores: np.ndarray, ids: np.ndarray, wanted: int | None) -> np.ndarray:
    """Positions of the ``wanted`` best scores, best first, ties by id."""
    if wanted is not None and len(scores) > wanted:
        candidates = np.flatnonzero(scores >= _floor(scores, wanted))
        return candidates[np.lexsort((ids[candidates], -scores[candidates]))][:wanted]
    return np.lexsort((ids, -scores))


def _floor(scores: np.ndarray, wanted: int) -> float:
    """The ``wanted``-th best of more than ``wanted`` scores (infinite for none wanted)."""
    return np.partition(scores, len(scores) - wanted)[len(scores) - wanted] if wanted else np.inf


class _Segment:
    """Evaluates matcher trees over one segment."""

    def __init__(self, reader):
        self.reader = reader

    def column(self, name: str) -> np.ndarray:
        """The segment's values of a numeric column (0 where missing), kept with the segment."""
        columns = self.reader._perdoc.__dict__.setdefault("_numeric_columns", {})
        if name not in columns:
            columns[name] = np.array([value or 0 for value in self.reader.column_reader(name)],
                                     dtype=np.int64)
        return columns[name]

    def top(self, matcher, wanted: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Every document ``matcher`` matches and its score; with ``wanted``,
        the scores of documents that cannot reach the best ``wanted`` may be
        left without an ``AndMaybe`` root's optional part."""
        if wanted and type(matcher) is binary.AndMaybeMatcher and matcher.a.is_active():
            ids, scores = self.evaluate(matcher.a)
            needed = ids
            if len(ids) > wanted and matcher.b.is_active():
                needed = ids[scores + matcher.b.max_quality() >= _floor(scores, wanted)]
            return _plus(ids, scores, *self.evaluate(matcher.b, needed))
        return self.evaluate(matcher)

    def evaluate(self, m, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sorted document numbers ``m`` matches and their scores. ``within``
        (sorted) names the only documents the caller needs; more may be returned."""
        if not m.is_active():
            return _NOTHING
        kind = type(m)
        if kind in (BlockMatcher, ListMatcher):
            leaf = self._leaf(m)
            if leaf is not None:
                return leaf
        elif kind is binary.UnionMatcher:
            return _union(self.evaluate(m.a, within), self.evaluate(m.b, within))
        elif kind is binary.IntersectionMatcher:
            if self._stepped(m.a) and not self._stepped(m.b):
                b = self.evaluate(m.b, within)
                return _both(self.evaluate(m.a, b[0]), b)
            a = self.evaluate(m.a, within)
            return _both(a, self.evaluate(m.b, a[0]))
        elif kind is binary.AndMaybeMatcher:
            a = self.evaluate(m.a, within)
            return _plus(*a, *self.evaluate(m.b, a[0]))
        elif isinstance(m, binary.AndNotMatcher):
            ids, scores = self.evaluate(m.a, within)
            keep = ~np.isin(ids, self.evaluate(m.b, ids)[0], assume_unique=True)
            return ids[keep], scores[keep]
        elif kind is wrappers.WrappingMatcher:
            ids, scores = self.evaluate(m.child, within)
            return ids, scores * m.boost
        elif kind is wrappers.ConstantScoreWrapperMatcher:
            ids, _ = self.evaluate(m.child, within)
            return ids, np.full(len(ids), m.score())
        elif kind is wrappers.FilterMatcher:
            ids, scores = self.evaluate(m.child, within)
            listed = np.isin(ids, np.fromiter(m._ids, dtype=np.int64, count=len(m._ids)))
            keep = ~listed if m._exclude else listed
            return ids[keep], scores[keep] * m.boost
        elif kind is SpanNear2.SpanNear2Matcher:
            return self._phrase(m, within)
        return _stepped_through(m, within)

    def _stepped(self, m) -> bool:
        """Whether evaluating ``m`` steps through a Whoosh matcher somewhere (slow per document)."""
        kind = type(m)
        if kind in (BlockMatcher, ListMatcher):
            return not m.is_active() or self._leaf_scoring(m) is None
        children = m.children() if kind is not SpanNear2.SpanNear2Matcher else ()
        return not children or any(self._stepped(c) for c in children)

    def _phrase(self, m, within):
        """Documents of the phrase's words (its child intersection) that have
        the words at consecutive positions, with the intersection's score."""
        ids, scores = self.evaluate(m.child, within)
        if within is not None:
            keep = np.isin(ids, within, assume_unique=True)
            ids, scores = ids[keep], scores[keep]
        found = _consecutive(m.ms, ids) if len(ids) else np.zeros(0, dtype=bool)
        if found is None:  # positions this module cannot read as arrays
            return _stepped_through(m, ids)
        return ids[found], scores[found] * m.boost

    def _leaf_scoring(self, m):
        """How a term matcher scores: ``("bm25", scorer, lengths)``, ``("weight",)``,
        or None when only the matcher itself can say."""
        scorer = m.scorer if type(m) is BlockMatcher else m._scorer
        if scorer is None or type(scorer) is scoring.WeightScorer:
            return ("weight",)
        if type(scorer) is scoring.BM25FScorer and m.term() is not None:
            lengths = BM25F.length_array(self.reader, m.term()[0])
            if lengths is not None:
                return ("bm25", scorer, lengths)
        return None

    def _leaf(self, m):
        how = self._leaf_scoring(m)
        if how is None:
            return None
        if type(m) is ListMatcher:
            ids = np.asarray(m._ids[m._i:], dtype=np.int64)
            if m._all_weights:
                weights = np.full(len(ids), float(m._all_weights))
            elif m._weights:
                weights = np.asarray(m._weights[m._i:], dtype=np.float64)
            else:
                weights = np.ones(len(ids))
        else:
            ids, weights = posting_arrays(m._postfile.get(m._startoffset, m._length))
            if m.id() > ids[0]:  # a matcher already moved on (a phrase's first document)
                start = np.searchsorted(ids, m.id())
                ids, weights = ids[start:], weights[start:]
        if how[0] == "weight":
            return ids, weights
        _, scorer, lengths = how
        idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        fl = lengths[ids]
        # scoring.bm25, the same operations in the same order
        return ids, idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))


def _stepped_through(m, within) -> tuple[np.ndarray, np.ndarray]:
    """The documents and scores of a matcher read one at a time (only those in ``within``, if given)."""
    ids, scores = [], []
    if within is None:
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
    else:
        for docnum in within.tolist():
            if m.id() < docnum:
                m.skip_to(docnum)
                if not m.is_active():
                    break
            if m.id() == docnum:
                ids.append(docnum)
                scores.append(m.score())
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64)


def _consecutive(terms: list, ids: np.ndarray) -> np.ndarray | None:
    """Which of ``ids`` hold ``terms[0]`` at some position p, ``terms[1]`` at
    p + 1 and so on (Whoosh's ordered ``SpanNear2`` with slop 1), read from
    the terms' posting values as arrays; None if a term's values are not
    ``BulkPositions`` deltas of 16 bits."""
    keys = None
    for offset, term in enumerate(terms):
        read = _positions(term, ids)
        if read is None:
            return None
        docs, positions = read
        shifted = positions - offset
        ok = shifted >= 0
        these = (docs[ok] << 32) | shifted[ok]
        keys = these if keys is None else np.intersect1d(keys, these, assume_unique=False)
        if not len(keys):
            break
    return np.isin(ids, keys >> 32)


def _positions(m, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each position of term matcher ``m`` in the documents ``ids``, as
    (document, position) arrays, from its values (``BulkPositions``)."""
    if type(m) is BlockMatcher:
        if not isinstance(m.format, BulkPositions):
            return None
        post_ids, _, values, lengths = block_postings(m._postfile.get(m._startoffset, m._length), None)
        post_ids = np.frombuffer(post_ids, dtype=np.uint32).astype(np.int64)
        lengths = np.frombuffer(lengths, dtype=np.uint32).astype(np.int64)
    elif type(m) is ListMatcher and isinstance(m._format, BulkPositions) and m._values:
        post_ids = np.asarray(m._ids, dtype=np.int64)
        values = b"".join(m._values)
        lengths = np.fromiter(map(len, m._values), dtype=np.int64, count=len(m._values))
    else:
        return None
    starts = np.cumsum(lengths) - lengths
    raw = np.frombuffer(values, dtype=np.uint8)
    keep = np.isin(post_ids, ids) & (lengths > 1)
    if (raw[starts[keep]] != ord("H")).any():
        return None
    in_kept = np.repeat(keep, lengths)
    in_kept[starts[keep]] = False  # the type code
    counts = (lengths[keep] - 1) // 2
    positions = runs_summed(raw[in_kept].view(np.uint16), counts)
    return np.repeat(post_ids[keep], counts), positions


def _union(a, b):
    """Whoosh's ``UnionMatcher``: every document of either, ``a + b`` where both."""
    (a_ids, a_scores), (b_ids, b_scores) = a, b
    ids = np.sort(np.concatenate((a_ids, b_ids)), kind="stable")  # merges the two sorted runs
    if len(ids) > 1:
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    a_at, b_at = np.searchsorted(ids, a_ids), np.searchsorted(ids, b_ids)
    scores = np.empty(len(ids))
    scores[a_at] = a_scores
    in_a = np.zeros(len(ids), dtype=bool)
    in_a[a_at] = True
    both = in_a[b_at]
    scores[b_at[~both]] = b_scores[~both]
    scores[b_at[both]] = scores[b_at[both]] + b_scores[both]
    return ids, scores


def _both(a, b):
    """Whoosh's ``IntersectionMatcher``: documents of both, ``a + b``."""
    (a_ids, a_scores), (b_ids, b_scores) = a, b
    ids, at_a, at_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    return ids, a_scores[at_a] + b_scores[at_b]


def _plus(a_ids, a_scores, b_ids, b_scores):
    """Whoosh's ``AndMaybeMatcher``: documents of ``a``, plus ``b``'s score where it matches too."""
    _, at_a, at_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    scores = a_scores.copy()
    scores[at_a] = a_scores[at_a] + b_scores[at_b]
    return a_ids, scores
