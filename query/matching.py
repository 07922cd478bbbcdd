"""From the query tree (``query.language``) to Whoosh queries and highlight needles.

* Unquoted text: every word must match, in the headline or the body
  (BM25F over both, headline boosted). A string that occurs verbatim also
  matches through the character fields and scores on top, so the article
  that holds the query word for word ranks first.
* Quoted text: a phrase over the character fields — consecutive characters,
  whatever jieba made of them — so it finds exactly the articles whose
  headline or body contains the string, whitespace ignored.
* Filters: terms and numeric ranges on metadata fields.
"""

from __future__ import annotations

from whoosh import query as wq

from indexer.analysis import chars, words
from query.language import And, Filter, Not, Or, Phrase, Words

#: Extra weight of a verbatim occurrence of unquoted text.
VERBATIM_BOOST = 2.0
#: Which index fields a ``title:``/``body:`` query, or no field, searches.
TEXT_FIELDS = {None: ("title", "body"), "title": ("title",), "body": ("body",)}
FILTER_FIELDS = {"reporter": "reporters", "correspondent": "correspondents", "paper": "paper",
                 "page": "page", "date": "date"}


def to_whoosh(node) -> wq.Query:
    """The Whoosh query for a query tree (``wq.NullQuery`` when it matches nothing)."""
    if isinstance(node, Words):
        return _words(node)
    if isinstance(node, Phrase):
        return _phrase(node.text, node.field)
    if isinstance(node, Filter):
        return _filter(node)
    if isinstance(node, Or):
        return wq.Or([to_whoosh(n) for n in node.nodes]).normalize()
    if isinstance(node, Not):
        return wq.AndNot(wq.Every(), to_whoosh(node.node))
    if isinstance(node, And):
        positive = [to_whoosh(n) for n in node.nodes if not isinstance(n, Not)]
        negative = [to_whoosh(n.node) for n in node.nodes if isinstance(n, Not)]
        if not positive:
            positive = [wq.Every()]
        matched = wq.And(positive) if len(positive) > 1 else positive[0]
        if negative:
            matched = wq.AndNot(matched, wq.Or(negative))
        return matched.normalize()
    raise TypeError(f"not a query node: {node!r}")


def _words(node: Words) -> wq.Query:
    terms = words(node.text)
    if not terms:
        return wq.NullQuery
    fields = TEXT_FIELDS[node.field]
    matched = wq.And([wq.Or([wq.Term(f, t) for f in fields]) for t in terms])
    verbatim = _phrase(node.text, node.field, boost=VERBATIM_BOOST)
    return wq.Or([matched, verbatim]).normalize()


def _phrase(text: str, field: str | None, boost: float = 1.0) -> wq.Query:
    letters = chars(text)
    if not letters:
        return wq.NullQuery
    options = []
    for name in TEXT_FIELDS[field]:
        char_field = f"{name}_chars"
        if len(letters) == 1:
            options.append(wq.Term(char_field, letters[0], boost=boost))
        else:
            options.append(wq.Phrase(char_field, letters, boost=boost))
    return wq.Or(options).normalize()


def _filter(node: Filter) -> wq.Query:
    field = FILTER_FIELDS[node.field]
    if node.field in ("page", "date"):
        if node.low == node.high:
            return wq.Term(field, node.low)
        return wq.NumericRange(field, node.low, node.high)
    return wq.Term(field, node.low)


def needles(node) -> list[str]:
    """Folded strings to highlight: the words and phrases a match must contain."""
    found: list[str] = []
    if isinstance(node, Words) and node.field != "title":
        found.append("".join(chars(node.text)))
        found.extend(words(node.text))
    elif isinstance(node, Phrase) and node.field != "title":
        found.append("".join(chars(node.text)))
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            found.extend(needles(child))
    return [n for n in dict.fromkeys(found) if n]

