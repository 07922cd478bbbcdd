"""A fix to Whoosh's pruning of matchers, installed on import.

While ranking the top N, Whoosh's collector replaces the matcher tree every
few documents with a cheaper one for the current minimum score
(``Matcher.replace``): a union whose parts cannot reach it alone becomes an
``AndMaybeMatcher`` (documents of the first part, the second's score added
where it matches too). Its ``skip_to(id)`` moved the second part to ``id``
instead of to where the first part landed, so after a skip the second
part's score went missing for documents that have it: ``落到实处 提供`` on
the dev index lost its sixth hit (16.34 scored as 13.13). Fixed here
(``tests/test_search.py``).
"""

from __future__ import annotations

from whoosh.matching import binary, mcore


def _skip_to(self, id):
    """Skip the first part to ``id`` or past it, the second to where the first is."""
    if not self.a.is_active():
        raise mcore.ReadTooFar
    moved_a = self.a.skip_to(id)
    moved_b = False
    if self.a.is_active() and self.b.is_active():
        moved_b = self.b.skip_to(self.a.id())
    return moved_a or moved_b


binary.AndMaybeMatcher.skip_to = _skip_to
