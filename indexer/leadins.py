"""Lead-ins: lone lines right above the body that open it rather than head it.

Runs after :func:`indexer.layout.classify` has marked each line.  A lone line
right above body text is read as part of the body when

* it introduces what follows: it ends in a colon (``各位代表：``,
  ``图片说明：``), opens with a section label in black brackets (``【点评】``),
  is a numbered section heading (``四、招聘程序``), ends in a dash over a
  list's points (``到今年年底——``), or is a brief's title set over its ``本报电``;
* it is a lead pulled out of the text below, quoting it word for word
  (``好家风就像一盏明灯，照亮人生的长路``).
"""

from __future__ import annotations

import itertools
import re

from indexer.bylines import compact, ends_with_column_tag, is_bare_dispatch
from indexer.layout import BODY, BULLETS, DASHES, LEAD_IN_ENDS, LONE, MAX_PARAGRAPH_LINES, Line

#: A line opening with a bracketed label leads into the text below it (``【点评】``).
LABEL_OPENS = ("【", "〖")
#: A numbered section heading of a body: ``四、招聘程序``, ``（一）报名程序``, ``2.报名方式``.
SECTION_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d))")
#: A lead pulled out of the text: clauses (split at these marks) that each recur in it (see :func:`_quotes`).
CLAUSE_BREAK_RE = re.compile(r"[，,；;：:]")
MIN_QUOTED_CLAUSES = 2
MIN_QUOTED_CHARS = 3


def join_lead_ins(lines: list[Line]) -> None:
    """Read a lone line that leads into the body right below it (see :func:`_leads_in`), or quotes it, as body."""
    for index, (line, following) in enumerate(zip(lines, lines[1:])):
        if line.kind == LONE and following.kind == BODY and (_leads_in(line, following) or _quotes(lines, index)):
            line.kind = BODY


def _quotes(lines: list[Line], index: int) -> bool:
    """Whether a line is a lead pulled out of the body right below it (``好家风就像一盏明灯，照亮…``).

    Every clause of it (``MIN_QUOTED_CLAUSES`` at least) recurs word for word
    in that text, as a headline's rewording hardly does; a saying in
    quotation marks (``“茶叶采起来，日子富起来”``) is a headline quoting it.
    """
    text = compact(lines[index].text)
    clauses = [clause for clause in CLAUSE_BREAK_RE.split(text) if clause]
    short = len(clauses) < MIN_QUOTED_CLAUSES or min(map(len, clauses)) < MIN_QUOTED_CHARS
    if short or text.startswith("“") and text.endswith("”"):
        return False
    below = itertools.takewhile(lambda line: line.kind == BODY, lines[index + 1:index + 1 + MAX_PARAGRAPH_LINES])
    body = "".join(compact(line.text) for line in below)
    return all(clause in body for clause in clauses)


def _leads_in(line: Line, following: Line) -> bool:
    """Whether a line right above the body leads into it rather than heads it.

    A colon introduces what follows (``各位代表：``, ``图片说明：``), and so do a
    section label in black brackets (``【点评】``, ``【人物】“云岭楷模”李华明``),
    a numbered section heading (``四、招聘程序``) and a dash over a list's
    points (``到今年年底——`` / ``●禁止…``);
    a brief's title stands in body type over its ``本报电`` (a headline of its
    own column would carry the column's tag).
    """
    if line.text.endswith(LEAD_IN_ENDS) or line.text.startswith(LABEL_OPENS) or SECTION_RE.match(compact(line.text)):
        return True
    if line.text.endswith(DASHES) and following.text.startswith(BULLETS):
        return True  # ``到今年年底——`` over the points of a list
    return is_bare_dispatch(compact(following.text)) and not ends_with_column_tag(line.text)
