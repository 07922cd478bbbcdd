"""From the query tree (``query.language``) to Whoosh queries and highlight needles.

* Unquoted text: every word must match, in the headline or the body
  (BM25F over both, headline boosted). A string that occurs verbatim also
  matches through the gram fields and scores on top, so the article that
  holds the query word for word ranks first; where jieba may have cut the
  article's text differently (a long text, a one-character word), the
  verbatim string alone matches too. A long text (a pasted headline) is a
  ranked bag of its words and of its character pairs: pairs score where
  jieba cut the article's words differently from the query's, and a pair
  spanning two words rewards an article that holds them side by side.
* Quoted text: a phrase over the gram fields — consecutive character pairs,
  whatever jieba made of them — so it finds exactly the articles whose
  headline or body contains the string, whitespace ignored. One character
  alone is every pair it starts (a prefix), or the text's last character.
* Filters: terms and numeric ranges on metadata fields.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh import query as wq
from whoosh.matching import AndNotMatcher, ConstantScoreWrapperMatcher, ListMatcher, NullMatcher, NullMatcherClass
from whoosh.query.wrappers import ConstantScoreQuery

from indexer import segment
from indexer.analysis import HAN, ChineseTokenizer, chars, grams, words
from indexer.codec import prefix_documents
from query.language import And, Filter, Not, Or, Phrase, Words

#: Extra weight of a verbatim occurrence of unquoted text (its phrase score,
#: ``query.bulkscore``): the article that holds the text word for word ranks
#: above those holding its words apart.
VERBATIM_BOOST = 8.0
#: Unquoted text of this many words or more (a pasted headline, a sentence;
#: its space-separated parts pooled) ranks articles by how many of its words
#: they hold instead of requiring all.
LONG_QUERY_WORDS = 5
#: Unquoted text of this many words or more that matches nothing with every
#: word required is asked again as a bag of words (a pasted headline); a
#: shorter query keeps requiring every word.
RELAX_MIN_WORDS = 4
#: In such a bag of words, words held by more than this share of the
#: articles are left out: they cannot tell articles apart, and their long
#: posting lists make the search slow.
COMMON_SHARE = 0.3
#: In such a bag, each pair of neighbouring characters of the text (within
#: a space-separated part) also scores, as a term of the gram fields with
#: this weight: title MRR@10 0.803 -> 0.825 on the dev title queries.
PAIR_WEIGHT = 1.0
#: Pairs held by more than this share of the articles are left out of the
#: bag (most pairs of a headline are common; reading them is slow and
#: ranks no better).
PAIR_COMMON_SHARE = 0.1
#: Which index fields a ``title:``/``body:`` query, or no field, searches.
TEXT_FIELDS = {None: ("title", "body"), "title": ("title",), "body": ("body",)}
#: In a bag of words, the words and pairs of a bracketed aside (a pasted
#: headline's column tag: 记者体验春运一线（新春走基层）) weigh this much. The
#: tag is printed over many articles and seldom in the body: headlines as
#: printed, title MRR@10 on three seeds 0.826 -> 0.845 (0: 0.843, 0.5: 0.842).
ASIDE_WEIGHT = 0.25
#: A bracketed aside: full-width brackets, which are text, not syntax.
ASIDE = re.compile(r"[（【〔［]([^（）【】〔〕［］]*)[）】〕］]")
HAN_RUN = re.compile(f"[{HAN}]+")
LETTERS = re.compile(r"[A-Za-z]{2,}")
FILTER_FIELDS = {"reporter": "reporters", "correspondent": "correspondents", "paper": "paper",
                 "page": "page", "date": "date"}


def to_whoosh(node, relaxed: bool = False, reader=None) -> wq.Query:
    """The Whoosh query for a query tree (``wq.NullQuery`` when it matches nothing).

    ``relaxed``: unquoted text needs any of its words, not all, and the words
    of sibling texts pool into one ranked bag (a pasted headline with its
    punctuation) — the fallback when the strict query finds nothing. With a
    ``reader``, a relaxed bag leaves out words most articles hold.
    """
    if isinstance(node, Words):
        return _words(node, relaxed, reader)
    if isinstance(node, Phrase):
        return _phrase(node.text, node.field)
    if isinstance(node, Filter):
        return _filter(node)
    if isinstance(node, Or):
        return _combine(wq.Or, [to_whoosh(n, relaxed, reader) for n in node.nodes])
    if isinstance(node, Not):
        excluded = to_whoosh(node.node)
        return wq.NullQuery if excluded is wq.NullQuery else _AndNot(wq.Every(), excluded)
    if isinstance(node, And):
        parts = [n for n in node.nodes if not isinstance(n, Not)]
        if relaxed or _unquoted_units(node) >= LONG_QUERY_WORDS:
            parts = _pool_words(parts)
        positive = [to_whoosh(n, relaxed, reader) for n in parts]
        excluded = _combine(wq.Or, [to_whoosh(n.node) for n in node.nodes if isinstance(n, Not)])
        matched = _combine(wq.And, positive) if positive else wq.Every()
        if excluded is wq.NullQuery:
            return matched if positive else wq.NullQuery
        if matched is wq.NullQuery:
            return matched
        return _AndNot(matched, excluded)
    raise TypeError(f"not a query node: {node!r}")


class _CharPrefix(wq.Prefix):
    """Every article whose field holds a pair starting with this character,
    scored ``boost`` each. Whoosh's ``Prefix`` ORs a matcher per pair (over a
    thousand for a common surname: 3.5 s on 22,690 articles); this one reads
    their document numbers straight from the segment, into one list."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        if not reader.is_atomic():  # Whoosh asks each segment in turn; only a direct call lands here
            return super().matcher(searcher, context)
        if self.fieldname not in reader.indexed_field_names():
            return NullMatcher()
        docs = prefix_documents(reader, self.fieldname, self.text.encode("utf-8"))
        if reader.has_deletions():  # Whoosh's term matchers leave them out; this list must too
            docs = [doc for doc in docs if not reader.is_deleted(doc)]
        return ListMatcher(docs, all_weights=self.boost) if docs else NullMatcher()

    def estimate_size(self, reader):
        return reader.doc_count_all()  # Whoosh sums every pair's frequency: a lookup each


class _Range(wq.NumericRange):
    """A numeric range (dates, pages) with Whoosh's constant score, whose
    matcher steps through its terms' matchers: Whoosh's lists every document
    in the range first (a month of a 227,000-article index: ~100 ms a segment)."""

    def matcher(self, searcher, context=None):
        compiled = self._compile_query(searcher.reader())
        if not isinstance(compiled, ConstantScoreQuery):
            return compiled.matcher(searcher, context)
        terms = compiled.child.matcher(searcher, context)
        if isinstance(terms, NullMatcherClass):
            return terms
        return ConstantScoreWrapperMatcher(terms, compiled.score)


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's ``AndNotMatcher`` skips an excluded first document only when
    both sides start on it; this one also when the excluded side starts earlier."""

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):
    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


def _pool_words(parts: list) -> list:
    """Sibling unquoted texts on the same field as one text."""
    pooled: dict = {}
    others = []
    for part in parts:
        if isinstance(part, Words):
            pooled.setdefault(part.field, []).append(part.text)
        else:
            others.append(part)
    return [Words(" ".join(texts), field) for field, texts in pooled.items()] + others


def _combine(kind, queries: list) -> wq.Query:
    """``kind(queries)`` without the parts that match nothing.

    (Whoosh's ``normalize`` would also flatten nested ``Or`` groups, losing
    the per-word grouping that ranking relies on.)
    """
    kept = [q for q in queries if q is not wq.NullQuery]
    if not kept:
        return wq.NullQuery
    return kept[0] if len(kept) == 1 else kind(kept)


def can_relax(node) -> bool:
    """Whether the query is long enough to fall back to ``to_whoosh(node,
    relaxed=True)`` when the strict query finds nothing: ``RELAX_MIN_WORDS``
    words in all, or a text of three words or more typed without a space."""
    return _unquoted_units(node) >= RELAX_MIN_WORDS or _longest_text(node) >= 3


def _longest_text(node) -> int:
    if isinstance(node, Words):
        return len(query_units(node.text))
    if isinstance(node, (And, Or)):
        return max((_longest_text(n) for n in node.nodes), default=0)
    return 0


def _unquoted_units(node) -> int:
    if isinstance(node, Words):
        return len(query_units(node.text))
    if isinstance(node, (And, Or)):
        return sum(_unquoted_units(n) for n in node.nodes)
    return 0


def _words(node: Words, relaxed: bool, reader) -> wq.Query:
    units = query_units(node.text)
    if not units:
        return wq.NullQuery
    one_unit = len(units) == 1
    bag = relaxed or len(units) >= LONG_QUERY_WORDS
    text, aside = split_asides(node.text) if bag else (node.text, "")
    if bag:
        units = bag_units(text, node.field, reader)
    clauses = [_unit(unit, node.field, alone=len(units) == 1) for unit in units]
    if bag:
        clauses += [_unit(unit, node.field, alone=False, boost=ASIDE_WEIGHT)
                    for unit in bag_units(aside, node.field, reader) if unit not in units]
        clauses += _pairs(text, node.field, reader) + _pairs(aside, node.field, reader, ASIDE_WEIGHT)
    matched = _combine(wq.Or if bag else wq.And, clauses)
    if one_unit:
        return matched  # one word or name: matching it is matching the text verbatim
    verbatim = _phrase(text, node.field, boost=VERBATIM_BOOST)
    if text != node.text:  # an aside inside a name, 中国（上海）自贸区, holds it verbatim only whole
        verbatim = _combine(wq.Or, [verbatim, _phrase(node.text, node.field, boost=VERBATIM_BOOST)])
    if bag or any(len(unit) == 1 for unit in units):
        # an article that holds the text verbatim matches even where jieba
        # cut it into other words: a long text, or one with a one-character
        # word (a stretch starting or ending mid-word: 改善生态环境质 in
        # 生态环境质量, where the article has 质量, not 质)
        return wq.Or([matched, verbatim])
    return wq.AndMaybe(matched, verbatim)  # the phrase only re-ranks the articles that match


def split_asides(text: str) -> tuple[str, str]:
    """``text`` without its bracketed asides, and the asides' contents
    (``text`` and ``""`` when it has none, or is nothing else)."""
    main = ASIDE.sub(" ", text).strip()
    if not main or main == text:
        return text, ""
    return main, " ".join(match.group(1) for match in ASIDE.finditer(text))


def bag_units(text: str, field: str | None, reader) -> list[str]:
    """The units of ``text`` asked as a bag of words: its units and the
    shorter words inside long ones (they match too, as in the index); with a
    ``reader``, those that tell articles apart (``_informative``)."""
    units = list(_bag_words(text, segment.dictionary_version()))
    return _informative(units, field, reader) if reader is not None else units


@lru_cache(maxsize=256)
def _bag_words(text: str, _dictionary: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(query_units(text) + [w for w in words(text, mode="index") if len(w) > 1]))


def pasted_text(node, relaxed: bool = False) -> str | None:
    """The text of a query asked as a bag of words over the body (a pasted
    headline or sentence, or any text when ``relaxed``), if it is one,
    without its bracketed asides."""
    if isinstance(node, And) and (relaxed or _unquoted_units(node) >= LONG_QUERY_WORDS):
        parts = [n for n in node.nodes if isinstance(n, Words)]
    elif isinstance(node, Words):
        parts = [node]
    else:
        return None
    text = " ".join(split_asides(part.text)[0] for part in parts if part.field in (None, "body"))
    return text if text and (relaxed or len(query_units(text)) >= LONG_QUERY_WORDS) else None


def query_units(text: str) -> list[str]:
    """The words of unquoted text, each run of adjacent one-character hanzi
    words joined: jieba's dictionary splits a name it does not know into
    characters (``李/志/龙``), and the run is matched as a phrase instead."""
    return list(_query_units(text, segment.dictionary_version()))


@lru_cache(maxsize=256)  # a query's texts are read several times (matching, ranking, highlights)
def _query_units(text: str, _dictionary: int) -> tuple[str, ...]:
    units: list[str] = []
    run, run_end = "", -1
    for token in ChineseTokenizer()(text, chars=True, mode="query"):
        single = len(token.text) == 1 and HAN_RUN.fullmatch(token.text)
        if single and run and token.startchar == run_end:
            run += token.text
        else:
            if run:
                units.append(run)
            run = token.text if single else ""
            if not single:
                units.append(token.text)
        run_end = token.endchar
    if run:
        units.append(run)
    return tuple(dict.fromkeys(units))


def _is_run(unit: str) -> bool:
    """A unit of joined one-character words (matched as characters, not a word)."""
    return bool(HAN_RUN.fullmatch(unit)) and (len(unit) == 1 or words(unit) != [unit])


def _unit(unit: str, field: str | None, alone: bool, boost: float = 1.0) -> wq.Query:
    """One unit: a run of characters as a phrase; a word as itself. One
    character among other words is a word too (in a text, mostly 的, 在, 和),
    not every pair it starts: that would read a posting list per pair."""
    if _is_run(unit) and (len(unit) > 1 or alone):
        return _phrase(unit, field, boost)
    return wq.Or([wq.Term(f, unit, boost=boost) for f in TEXT_FIELDS[field]])


def _informative(units: list[str], field: str | None, reader) -> list[str]:
    """The units that fewer than ``COMMON_SHARE`` of the articles hold (all if none)."""
    rare = _rare(reader, TEXT_FIELDS[field], COMMON_SHARE)
    # one character tells little in a bag of words, and matching it is slow
    kept = [u for u in units if len(u) > 1 and (_is_run(u) or rare(u))]
    return kept or units


def _pairs(text: str, field: str | None, reader, weight: float = 1.0) -> list[wq.Query]:
    """Terms for the character pairs of each part of ``text`` that at most
    ``PAIR_COMMON_SHARE`` of the articles hold (every pair without a reader),
    each weighing ``weight`` times ``PAIR_WEIGHT``."""
    names = [f"{name}_grams" for name in TEXT_FIELDS[field]]
    pairs = list(dict.fromkeys(pair for part in text.split() for pair in grams(part) if len(pair) == 2))
    if reader is not None:
        rare = _rare(reader, names, PAIR_COMMON_SHARE)
        pairs = [pair for pair in pairs if rare(pair)]
    return [wq.Term(name, pair, boost=PAIR_WEIGHT * weight) for pair in pairs for name in names]


def _rare(reader, names, share: float):
    """Whether a term is held by at most ``share`` of the articles in any of the fields ``names``."""
    limit = share * max(reader.doc_count(), 1)
    return lambda term: max(reader.doc_frequency(name, term) for name in names) <= limit


def _phrase(text: str, field: str | None, boost: float = 1.0) -> wq.Query:
    pairs = grams(text)
    if not pairs:
        return wq.NullQuery
    options = []
    for name in TEXT_FIELDS[field]:
        gram_field = f"{name}_grams"
        if len(pairs[0]) == 1:
            options.append(_CharPrefix(gram_field, pairs[0], boost=boost))
        elif len(pairs) == 1:
            options.append(wq.Term(gram_field, pairs[0], boost=boost))
        else:
            options.append(wq.Phrase(gram_field, pairs, boost=boost))
    return _combine(wq.Or, options)


def _filter(node: Filter) -> wq.Query:
    field = FILTER_FIELDS[node.field]
    if node.field in ("page", "date"):
        if node.low == node.high:
            return wq.Term(field, node.low)
        return _Range(field, node.low, node.high)
    return wq.Term(field, node.low)


def needles(node) -> list[str]:
    """Folded strings to highlight: the words and phrases a match must
    contain. A one-character word among others (mostly 的, 在, 和) is lit only
    inside a longer match: alone it would light up all over the article."""
    found: list[str] = []
    if isinstance(node, Words) and node.field != "title":
        units = query_units(node.text)
        found.append(chars(node.text))
        found.extend(unit for unit in units if len(unit) > 1 or len(units) == 1)
    elif isinstance(node, Phrase) and node.field != "title":
        found.append(chars(node.text))
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            found.extend(needles(child))
    return [n for n in dict.fromkeys(found) if n]



def pinyin_letters(node) -> str | None:
    """The letters of a query made only of unquoted Latin words (``gong shu``)."""
    if isinstance(node, Words) and node.field is None and LETTERS.fullmatch(node.text):
        return node.text.lower()
    if isinstance(node, And) and all(isinstance(n, Words) for n in node.nodes):
        parts = [pinyin_letters(n) for n in node.nodes]
        return "".join(parts) if all(parts) else None
    return None


def pinyin_query(spelled: list[list[str]]) -> wq.Query:
    """Articles holding, for every spelled part, one of the words it stands for."""
    return _combine(wq.And, [_combine(wq.Or, [_phrase(word, None) for word in words_])
                             for words_ in spelled])


def misspelled(node, vocabulary) -> str | None:
    """The query with each hanzi word replaced by a far more frequent homophone
    (``拱树`` → ``拱墅``), or ``None`` when there is nothing to suggest."""
    texts = []
    changed = False
    for words_node in _words_nodes(node):
        text = words_node.text
        for unit in query_units(text):
            better = vocabulary.homophone(unit) if len(unit) > 1 and HAN_RUN.fullmatch(unit) else None
            if better:
                text = text.replace(unit, better)
                changed = True
        texts.append(text)
    return " ".join(texts) if changed else None


def _words_nodes(node):
    if isinstance(node, Words):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            yield from _words_nodes(child)
