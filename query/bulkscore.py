"""Ranking by whole posting lists: a Whoosh query scored with numpy, a segment at a time.

Whoosh ranks a page of hits one document at a time: a Python call per
matching document at every node of its matcher tree, after building that
tree (a scorer and a first posting block per term, a first match per
phrase). Here each node of the query is evaluated at once for the whole
segment, straight from the term entries and posting blocks:

* a term reads its postings as arrays (``indexer.codec.entry_postings``)
  and scores them by Whoosh's BM25F: idf and average length of the whole
  index (from the term's entries in every segment, looked up once per
  query) and the segment's field lengths;
* ``Or`` adds the scores of the documents several parts match, ``And``
  keeps the documents of every part, ``AndMaybe`` adds its optional part
  where it matches, ``AndNot`` drops the excluded documents; boosts, constant
  scores and numeric ranges (read as their terms) as Whoosh scores them;
* a phrase is its terms' documents, kept where the terms stand at
  consecutive positions and scored by how often they do (Lucene's phrase
  score, not Whoosh's sum of the terms' scores); of a text's character
  pairs, only those that cover it are read (``_covering``);
* a query of another kind steps through its own Whoosh matcher.

Other scores are Whoosh's, though a sum may be added in another order (a
difference in the last bits). Deleted documents are dropped at the end.

A part asked for known candidates only (the documents an ``And`` has left,
an optional part's articles) reads only the posting blocks that may hold
them. When only the top N are wanted and the query is ``AndMaybe(words,
verbatim)`` (a query of several words), the verbatim part is checked only
for articles whose words' score plus the verbatim part's highest possible
score reaches the N-th best words' score: no other article can enter the page.
"""

from __future__ import annotations

from math import log
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.matching import ListMatcher

from indexer.codec import TermInfo, entry_doc_frequency, entry_postings, runs_summed, term_entry
from indexer.formats import BulkPositions
from indexer.schema import is_grams
from query.columns import numeric_column
from query.scoring import BM25F, field_B

#: Length normalisation of a phrase's score: an article where the phrase
#: fills more of the text ranks higher. Span MRR@10 on the dev sets (seeds
#: 2020, 2021, 2022, with VERBATIM_BOOST 8): 0.946/0.955/0.956 scored as
#: Whoosh does (the sum of its terms) -> 0.951/0.964/0.951.
PHRASE_B = 1.0
_NO_IDS = np.zeros(0, dtype=np.int64)
_NOTHING = (_NO_IDS, np.zeros(0))


def ranked(searcher, query, wanted: int | None, sortedby: str | None = None,
           reverse: bool = False) -> tuple[list[tuple[float, int]], int]:
    """The first ``wanted`` (all if None) ``(score, document number)`` pairs
    of ``query`` on ``searcher`` and how many documents match. Best first,
    ties by lower number; with ``sortedby`` (a numeric column: ``date``), by
    its value (descending if ``reverse``), then best first."""
    leaves = [(sub, offset) for sub, offset in searcher.leaf_searchers()
              if sub.reader().doc_count_all()]  # an empty index's reader has no terms
    terms = _Terms(searcher, [sub.reader() for sub, _ in leaves])
    scores, numbers, keys = [], [], []
    for number, (subsearcher, offset) in enumerate(leaves):
        segment = _Segment(subsearcher, terms, number)
        ids, values = segment.live(*segment.top(query, None if sortedby else wanted))
        scores.append(values)
        numbers.append(ids + offset)
        if sortedby:
            keys.append(numeric_column(segment.reader, sortedby)[ids])
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


class _Scorer(NamedTuple):
    """How a term scores across the index: ``kind`` ``"bm25"`` (Whoosh's
    BM25F with these parameters, made of the whole index's statistics),
    ``"weight"`` (a field without lengths: the posting's weight), or
    ``"whoosh"`` (another weighting: only Whoosh's matcher can say)."""

    kind: str
    idf: float = 0.0
    avgfl: float = 1.0
    B: float = 0.0
    K1: float = 0.0


class _Terms:
    """A query's terms across the segments ``readers``: each term's entry in
    each segment, looked up once, and its scorer, made from those entries
    (Whoosh's scorer would look the term up twice more in every segment)."""

    def __init__(self, searcher, readers: list):
        self.searcher = searcher
        self.readers = readers
        self._entries: dict = {}
        self._scorers: dict = {}

    def entries(self, fieldname: str, tbytes: bytes) -> list[bytes | None]:
        key = (fieldname, tbytes)
        if key not in self._entries:
            self._entries[key] = [term_entry(reader, fieldname, tbytes) for reader in self.readers]
        return self._entries[key]

    def scorer(self, fieldname: str, tbytes: bytes) -> _Scorer:
        key = (fieldname, tbytes)
        if key not in self._scorers:
            self._scorers[key] = self._made(fieldname, tbytes)
        return self._scorers[key]

    def _made(self, fieldname: str, tbytes: bytes) -> _Scorer:
        weighting, searcher = self.searcher.weighting, self.searcher
        if not searcher.schema[fieldname].scorable:
            return _Scorer("weight")
        if not isinstance(weighting, scoring.BM25F) or type(weighting).idf is not scoring.WeightingModel.idf:
            return _Scorer("whoosh")
        frequency = sum(entry_doc_frequency(entry) for entry in self.entries(fieldname, tbytes) if entry)
        return _Scorer("bm25", idf=log(searcher.doc_count_all() / (frequency + 1)) + 1,  # WeightingModel.idf
                       avgfl=searcher.avg_field_length(fieldname) or 1, B=field_B(weighting, fieldname),
                       K1=weighting.K1)

    def max_quality(self, fieldname: str, tbytes: bytes) -> float:
        """The most a posting of the term can score (its largest weight in
        its shortest document), from the entries' statistics."""
        scorer = self.scorer(fieldname, tbytes)
        if scorer.kind == "whoosh":
            return np.inf
        infos = [TermInfo.from_bytes(entry) for entry in self.entries(fieldname, tbytes) if entry]
        weight = max((info.max_weight() for info in infos), default=0.0)
        if scorer.kind == "weight":
            return weight
        length = min((info.min_length() for info in infos), default=1)
        return _bm25(scorer.idf, weight, length, scorer.avgfl, scorer.B, scorer.K1)


class _Segment:
    """Evaluates queries over one segment."""

    def __init__(self, searcher, terms: _Terms, number: int):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = self.reader.schema
        self.terms = terms
        self.number = number  # of the segment among ``terms.readers``

    def live(self, ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``ids`` and ``scores`` without the segment's deleted documents."""
        if not self.reader.has_deletions() or not len(ids):
            return ids, scores
        deleted = np.fromiter(self.reader.deleted_docs_set, dtype=np.int64)
        keep = ~np.isin(ids, deleted)
        return ids[keep], scores[keep]

    def top(self, q, wanted: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Every document ``q`` matches and its score; with ``wanted``, the
        scores of documents that cannot reach the best ``wanted`` may be left
        without an ``AndMaybe`` root's optional part."""
        if wanted and type(q) is wq.AndMaybe:
            ids, scores = self.evaluate(q.a)
            needed = ids
            if len(ids) > wanted:
                needed = ids[scores + self.bound(q.b) >= _floor(scores, wanted)]
            return _plus(ids, scores, *self.evaluate(q.b, needed))
        return self.evaluate(q)

    def evaluate(self, q, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sorted document numbers ``q`` matches and their scores. ``within``
        (sorted) names the only documents the caller needs; more may be returned."""
        kind = type(q)
        if q is wq.NullQuery or (within is not None and not len(within)):
            return _NOTHING
        if kind is wq.Term:
            return self._term(q, within)
        if kind is wq.Phrase:
            return self._phrase(q, within)
        if kind in (wq.Or, wq.And) and not (kind is wq.Or and (q.minmatch or q.scale)):
            return self._compound(q, within)
        if kind is wq.AndMaybe:
            a = self.evaluate(q.a, within)
            return _plus(*a, *self.evaluate(q.b, a[0]))
        if isinstance(q, wq.AndNot):
            ids, scores = self.evaluate(q.a, within)
            keep = ~np.isin(ids, self.evaluate(q.b, ids)[0], assume_unique=True)
            return ids[keep], scores[keep]
        if kind is wq.Every:
            ids = np.arange(self.reader.doc_count_all(), dtype=np.int64)
            return ids, np.full(len(ids), float(q.boost))
        if isinstance(q, wq.NumericRange):
            compiled = q._compile_query(self.reader)
            if isinstance(compiled, wq.ConstantScoreQuery):
                return self._constant(compiled.child, compiled.score, within)
            return self.evaluate(compiled, within)
        if kind is wq.ConstantScoreQuery:
            return self._constant(q.child, q.score, within)
        return _matched(q.matcher(self.searcher, self.searcher.context()), within)

    def bound(self, q) -> float:
        """A score ``q`` cannot exceed in this segment."""
        kind = type(q)
        if q is wq.NullQuery:
            return 0.0
        if kind is wq.Term:
            entry = self._entry(q.fieldname, q.text)
            return 0.0 if entry is None else self.terms.max_quality(q.fieldname, entry[0]) * q.boost
        if kind is wq.Phrase:  # a phrase scores at most K1 + 1 times the sum of its terms' idf
            terms = [self._entry(q.fieldname, word) for word in q.words]
            if any(term is None for term in terms):
                return 0.0
            scorers = [self.terms.scorer(q.fieldname, tbytes) for tbytes, _ in terms]
            if any(scorer.kind != "bm25" for scorer in scorers):
                return np.inf
            return sum(scorer.idf for scorer in scorers) * (scorers[0].K1 + 1) * q.boost
        if kind in (wq.Or, wq.And):
            total = sum(self.bound(sub) for sub in q.subqueries)
            return total * q.boost if len(q.subqueries) > 1 else total
        return np.inf

    def _entry(self, fieldname: str, text) -> tuple[bytes, bytes] | None:
        """The term's bytes and its entry in this segment, if it has the term."""
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None:
            return None
        try:
            tbytes = field.to_bytes(text)
        except ValueError:
            return None
        entry = self.terms.entries(fieldname, tbytes)[self.number]
        return None if entry is None else (tbytes, entry)

    def _term(self, q, within):
        found = self._entry(q.fieldname, q.text)
        if found is None:
            return _NOTHING
        tbytes, entry = found
        postings = entry_postings(self.reader, q.fieldname, entry, within)
        scores = self._scored(q.fieldname, tbytes, postings)
        if scores is None:  # a scorer this module cannot vectorise
            return _stepped_through(q.matcher(self.searcher, self.searcher.context()), within)
        return postings.ids, scores * q.boost if q.boost != 1.0 else scores

    def _scored(self, fieldname: str, tbytes: bytes, postings) -> np.ndarray | None:
        scorer = self.terms.scorer(fieldname, tbytes)
        if scorer.kind == "weight":
            return postings.weights
        lengths = BM25F.length_array(self.reader, fieldname)
        if scorer.kind != "bm25" or lengths is None:
            return None
        return _bm25(scorer.idf, postings.weights, lengths[postings.ids], scorer.avgfl, scorer.B, scorer.K1)

    def _compound(self, q, within):
        """``Or``: every document of a part, scores added; ``And``: documents
        of every part (the smallest read first), scores added."""
        subs = [sub for sub in q.subqueries if sub is not wq.NullQuery]
        if len(q.subqueries) == 1:  # Whoosh's compound of one part is that part, boost ignored
            return self.evaluate(q.subqueries[0], within)
        if type(q) is wq.Or:
            parts = [self.evaluate(sub, within) for sub in subs]
            ids, scores = _union(parts) if parts else _NOTHING
        else:
            if len(subs) < len(q.subqueries):
                return _NOTHING
            ids, scores = None, None
            for sub in sorted(subs, key=self._size):
                found = self.evaluate(sub, within if ids is None else ids)
                ids, scores = found if ids is None else _both((ids, scores), found)
                if not len(ids):
                    return _NOTHING
        return ids, scores * q.boost if q.boost != 1.0 else scores

    def _size(self, q) -> float:
        """About how many documents ``q`` matches in this segment (to read small parts first)."""
        kind = type(q)
        if kind is wq.Term:
            found = self._entry(q.fieldname, q.text)
            return 0 if found is None else entry_doc_frequency(found[1])
        if kind is wq.Phrase:
            return min((self._size(wq.Term(q.fieldname, word)) for word in q.words), default=0)
        if kind is wq.Or:
            return sum(self._size(sub) for sub in q.subqueries)
        if kind is wq.And:
            return min((self._size(sub) for sub in q.subqueries), default=0)
        return self.reader.doc_count_all()

    def _constant(self, child, score: float, within):
        ids = self._documents(child, within)
        return ids, np.full(len(ids), float(score))

    def _documents(self, q, within) -> np.ndarray:
        """The documents ``q`` matches, unscored (terms, ranges of terms and
        their ``Or``: what a date range is made of)."""
        if type(q) is wq.Term:
            found = self._entry(q.fieldname, q.text)
            return _NO_IDS if found is None else entry_postings(self.reader, q.fieldname, found[1], within).ids
        if isinstance(q, wq.TermRange):
            entries = (term_entry(self.reader, q.fieldname, tbytes) for tbytes in q._btexts(self.reader))
            parts = [entry_postings(self.reader, q.fieldname, entry, within).ids for entry in entries if entry]
        elif type(q) is wq.Or and not (q.minmatch or q.scale):
            parts = [self._documents(sub, within) for sub in q.subqueries]
        else:
            return self.evaluate(q, within)[0]
        return np.unique(np.concatenate(parts)) if parts else _NO_IDS

    def _phrase(self, q, within):
        """Documents holding the phrase's terms at consecutive positions (Whoosh's
        ordered ``SpanNear2`` with slop 1), scored by how often (``_phrase_scores``)."""
        fieldname = q.fieldname
        if fieldname not in self.schema or not isinstance(self.schema[fieldname].format, BulkPositions):
            return _stepped_through(q.matcher(self.searcher, self.searcher.context()), within)
        terms = [self._entry(fieldname, word) for word in q.words]
        if not terms or any(term is None for term in terms):
            return _NOTHING
        scorers = [self.terms.scorer(fieldname, tbytes) for tbytes, _ in terms]
        lengths = BM25F.length_array(self.reader, fieldname)
        if lengths is None or any(scorer.kind != "bm25" for scorer in scorers):
            return _stepped_through(q.matcher(self.searcher, self.searcher.context()), within)
        frequencies = [entry_doc_frequency(entry) for _, entry in terms]
        places = _covering(frequencies) if _chained(self.schema[fieldname], q.words) else range(len(terms))
        ids, read = within, []
        for place in sorted(places, key=frequencies.__getitem__):
            postings = entry_postings(self.reader, fieldname, terms[place][1], ids, values=True)
            ids = postings.ids if ids is None else np.intersect1d(ids, postings.ids, assume_unique=True)
            read.append((place, postings))
            if not len(ids):
                return _NOTHING
        counts = _consecutive(read, ids)
        if counts is None:  # positions this module cannot read as arrays
            return _stepped_through(q.matcher(self.searcher, self.searcher.context()), ids)
        found = counts > 0
        scores = _phrase_scores(scorers, counts[found], lengths[ids[found]])
        return ids[found], scores * q.boost if q.boost != 1.0 else scores


def _chained(field, words: list[str]) -> bool:
    """Whether ``words`` are the consecutive character pairs of one text (each
    starting with the last character of the one before), in a field of pairs."""
    return (is_grams(field) and all(len(word) == 2 for word in words)
            and all(a[1] == b[0] for a, b in zip(words, words[1:])))


def _covering(costs: list[int]) -> list[int]:
    """The places of a phrase's character pairs worth reading, of least total
    ``costs``: the pair at place k is characters k and k+1 of the phrase,
    and where pairs that cover every character stand at consecutive
    positions, so do all the others (a gram field holds one pair at each
    position: ``indexer.analysis.GramTokenizer``). So the first and last
    pairs, with never two places in a row left out, prove the phrase; its
    count is theirs."""
    best, before = [0] * len(costs), [-1] * len(costs)
    for place, cost in enumerate(costs):
        if place >= 2 and best[place - 2] < best[place - 1]:
            before[place] = place - 2
        elif place >= 1:
            before[place] = place - 1
        best[place] = cost + (best[before[place]] if place else 0)
    places, place = [], len(costs) - 1
    while place >= 0:
        places.append(place)
        place = before[place]
    return places[::-1]


def _phrase_scores(scorers: list, counts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """BM25 of a phrase as Lucene scores one: how often the phrase occurs (not
    its terms), with the sum of its terms' idf, fully normalised for length
    (``PHRASE_B``); ``scorers``: its terms' BM25F scorers (``_Scorer``)."""
    return _bm25(sum(scorer.idf for scorer in scorers), counts.astype(np.float64), lengths,
                 scorers[0].avgfl, PHRASE_B, scorers[0].K1)


def _bm25(idf, tf, length, avgfl: float, B: float, K1: float):
    """``whoosh.scoring.bm25``, the same operations in the same order (of
    numbers or numpy arrays)."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avgfl)))


def _matched(m, within) -> tuple[np.ndarray, np.ndarray]:
    """The documents and scores of a Whoosh matcher: a list of documents
    without a scorer (a character prefix, a constant score) read at once,
    any other stepped through."""
    if type(m) is ListMatcher and m._scorer is None:
        ids = np.asarray(m._ids[m._i:], dtype=np.int64)
        if m._all_weights:
            return ids, np.full(len(ids), float(m._all_weights))
        if m._weights:
            return ids, np.asarray(m._weights[m._i:], dtype=np.float64)
        return ids, np.ones(len(ids))
    return _stepped_through(m, within)


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
            if not m.is_active():
                break
            if m.id() < docnum:
                m.skip_to(docnum)
                if not m.is_active():
                    break
            if m.id() == docnum:
                ids.append(docnum)
                scores.append(m.score())
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64)


def _consecutive(read: list, ids: np.ndarray) -> np.ndarray | None:
    """How often each of ``ids`` holds the phrase's terms at consecutive
    positions: ``read`` is each term's place in the phrase and postings (with
    values). None if a term's values are not ``BulkPositions`` deltas of 16 bits."""
    keys = None
    for place, postings in sorted(read, key=lambda item: item[0]):
        positioned = _positions(postings, ids)
        if positioned is None:
            return None
        docs, positions = positioned
        shifted = positions - place
        ok = shifted >= 0
        these = (docs[ok] << 32) | shifted[ok]
        keys = np.unique(these) if keys is None else np.intersect1d(keys, these)
        if not len(keys):
            break
    docs = keys >> 32
    return np.searchsorted(docs, ids, side="right") - np.searchsorted(docs, ids)


def _positions(postings, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each position of a term in the documents ``ids``, as (document,
    position) arrays, from its posting values (``BulkPositions``)."""
    lengths = postings.lengths
    starts = np.cumsum(lengths) - lengths
    raw = np.frombuffer(postings.values, dtype=np.uint8)
    keep = np.isin(postings.ids, ids) & (lengths > 1)
    if (raw[starts[keep]] != ord("H")).any():
        return None
    in_kept = np.repeat(keep, lengths)
    in_kept[starts[keep]] = False  # the type code
    counts = (lengths[keep] - 1) // 2
    positions = runs_summed(raw[in_kept].view(np.uint16), counts)
    return np.repeat(postings.ids[keep], counts), positions


def _union(parts: list) -> tuple[np.ndarray, np.ndarray]:
    """Every document of any part, the parts' scores added where several match."""
    if len(parts) == 1:
        return parts[0]
    every = np.sort(np.concatenate([ids for ids, _ in parts]), kind="stable")  # merges the sorted runs
    ids = every[np.concatenate(([True], every[1:] != every[:-1]))] if len(every) else every
    scores = np.zeros(len(ids))
    for part_ids, part_scores in parts:  # part by part: the sum in the parts' order
        scores[np.searchsorted(ids, part_ids)] += part_scores
    return ids, scores


def _both(a, b):
    """Documents of both, ``a + b``."""
    (a_ids, a_scores), (b_ids, b_scores) = a, b
    ids, at_a, at_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    return ids, a_scores[at_a] + b_scores[at_b]


def _plus(a_ids, a_scores, b_ids, b_scores):
    """Documents of ``a``, plus ``b``'s score where it matches too."""
    _, at_a, at_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    scores = a_scores.copy()
    scores[at_a] = a_scores[at_a] + b_scores[at_b]
    return a_ids, scores
