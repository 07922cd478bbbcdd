"""Articles: where a page's body text begins and ends.

Groups the paragraphs :mod:`indexer.layout` finds into articles, on the cues
a reader's eye uses:

* an article opens with a byline (``本报讯（记者…）``, ``本报北京1月7日电``)
  or after a headline, ends with a jump (``（下转2版）``), a sign-off
  (``（新华社北京8月24日电）``) or a photo credit (``肖 翊摄``), and keeps one
  column width: where the full lines change width, another article begins,
  headline or not; a report from the dispatch a text was just signed off
  with (a letter, then the news of it) goes on with that text;
* a staff line (``本报记者 某某``) stands inside an article as often as at its
  head, so it does not open one by itself;
* text in body type that ends no sentence right above a byline (a brief's
  title in a roundup, boxed key points, bulleted or not) belongs to the
  article the byline opens, unless it runs past that article's column (a
  headline);
* lone lines between two stretches of text are a headline block when one is
  wider than the column or ends in a column tag, or when their first lines
  recur in the text above and not below (a sub-heading introduces what
  follows it); else they are sub-headings.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.bylines import compact, is_bare_dispatch, is_bracketed, read_byline
from indexer.layout import (
    BODY,
    BULLETS,
    DASHES,
    FULL_LINE_SLACK,
    LEAD_IN_ENDS,
    LONE,
    TEASER,
    Line,
    classify,
    common_width,
    is_sign_off,
    letter_pairs,
    measures_column,
)
from indexer.leadins import join_lead_ins

#: Share of a headline's letter pairs that recur in the body it heads (see :func:`_heads_text_before`).
HEADLINE_RECURRENCE = 0.5
#: Paragraphs of a roundup before its first brief's dispatch: the brief's title (see :func:`_next_brief`).
BRIEF_OPENING = 2
#: Lines of a headline that reads like a paragraph (see :func:`_headline_in_body_type`).
MAX_HEADLINE_LINES = 2
#: The caption of a photo story's second or later picture: ``图③：``.
NEXT_CAPTION_RE = re.compile(r"^图(?:[②-⑳]|[2-9]|[二三四五六七八九十])[:：]")
#: Headlines often end with a bracketed column tag: ``（民生视线）``.
HEADLINE_TAG_ENDS = ("）", ")")
#: Full lines looked at each side of a paragraph break to find its column,
#: how many must agree to show a change of column, and a change so large
#: that one full line each side shows it.
COLUMN_SAMPLE = 6
MIN_WIDTH_SUPPORT = 3
BIG_WIDTH_CHANGE = 3
BIG_CHANGE_SUPPORT = 1
#: Share of a side's full lines that must have its commonest width.
COLUMN_PURITY = 0.75
#: A lone line whose text runs past the column by more than this (a whole
#: character, not a half-width one) is no line of it: a headline set wider.
HALF_WIDTH = 0.5


@dataclass
class Article:
    """Line indices of one article: body paragraphs, and later its headline lines."""

    paragraphs: list[list[int]] = field(default_factory=list)
    titles: list[int] = field(default_factory=list)


def read_layout(lines: list[Line]) -> tuple[list[Article], list[list[int]]]:
    """Group lines into articles and the blocks of lone lines between them.

    Returns ``articles`` and ``gaps`` with ``len(gaps) == len(articles) + 1``:
    ``gaps[j]`` holds the indices of lone and teaser lines printed between
    article ``j - 1`` and article ``j``.
    """
    classify(lines)
    join_lead_ins(lines)
    items = list(_paragraphs(lines))
    articles: list[Article] = []
    gaps: list[list[int]] = [[]]
    run_start = 0  # first paragraph of the current unbroken run of body text
    for position, (kind, value) in enumerate(items):
        if kind is None:
            gaps[-1].append(value)
            continue
        current = articles[-1] if articles else None
        gap = gaps[-1]
        after = _run(items, position)
        if _headline_in_body_type(lines, after):
            gap += value  # lines wrapped together that head the text below, set wider than it
            continue
        if current is not None:
            before = current.paragraphs[run_start:]
            opening = _starts_article(lines, before, gap, after)
            opening = opening and not (not gap and _next_brief(lines, current, after))
            lead = _lead_in(lines, current.paragraphs) if opening and lines[value[0]].byline and not gap else 0
            if not opening or lead == len(current.paragraphs):
                current.paragraphs += [[i] for i in gap]
                if gap:
                    run_start = len(current.paragraphs)
                current.paragraphs.append(value)
                gap.clear()
                continue
            if lead:
                kept, moved = current.paragraphs[:-lead], current.paragraphs[-lead:]
                current.paragraphs = kept
                while moved and lines[moved[0][0]].kind != BODY:
                    gap.append(moved.pop(0)[0])  # a lone line above the lead-in: a headline again
                if _wider_than_column(lines, moved, after):
                    gap += [i for paragraph in moved for i in paragraph]  # headlines, set wider
                    moved = []
                articles.append(Article(paragraphs=[*moved, value]))
                gaps.append([])
                run_start = 0
                continue
        articles.append(Article(paragraphs=[value]))
        gaps.append([])
        run_start = 0
    return _join_repeated_dispatches(lines, articles, gaps)


def _join_repeated_dispatches(
    lines: list[Line], articles: list[Article], gaps: list[list[int]]
) -> tuple[list[Article], list[list[int]]]:
    """Join an article to the one right before it when both open with the same dispatch.

    One headline over two reports filed together (``李克强分别同甲、乙通电话``)
    prints two bodies, each opening with the same agency, place and date
    (``新华社北京3月31日电``) and naming the same staff, with no headline
    between them; two stories of their own would each carry a headline.
    """
    if not articles:
        return articles, gaps
    kept, kept_gaps = [articles[0]], gaps[:2]
    for article, gap_after in zip(articles[1:], gaps[2:]):
        dispatch = _dispatch(lines, article.paragraphs[0])
        if not kept_gaps[-1] and dispatch is not None and dispatch == _dispatch(lines, kept[-1].paragraphs[0]):
            kept[-1].paragraphs += article.paragraphs
            kept_gaps[-1] = gap_after
            continue
        kept.append(article)
        kept_gaps.append(gap_after)
    return kept, kept_gaps


def _dispatch(lines: list[Line], paragraph: list[int]) -> tuple | None:
    """Agency, place, date and staff of the dispatch a paragraph opens with, if it names a place and date.

    A sign-off in brackets (``（新华社北京4月9日电）``) names its dispatch too.
    """
    text = " ".join(lines[i].text for i in paragraph)
    byline = read_byline(text[1:-1] if is_bracketed(text) else text)
    if byline.agency and byline.place and byline.dateline:
        return byline.agency, byline.place, byline.dateline, byline.reporters, byline.correspondents
    return None


def _signs_off_for(lines: list[Line], paragraph: list[int], opening: list[int]) -> bool:
    """Whether a paragraph is a sign-off naming the dispatch the paragraph ``opening`` opens with.

    Agency, place and date must agree (a sign-off names no staff).
    """
    if not is_sign_off(lines, paragraph):
        return False
    signed, opened = _dispatch(lines, paragraph), _dispatch(lines, opening)
    return signed is not None and opened is not None and signed[:3] == opened[:3]


def _next_brief(lines: list[Line], current: Article, run: list[list[int]]) -> bool:
    """Whether the text ``run`` opens is the next brief of a roundup that ``current`` is.

    A roundup of briefs (``资讯``, ``新闻速递``) opens each one with a dispatch
    naming neither place nor date, ``本报电``, under its title in body type;
    the briefs make one article under the roundup's label.
    """
    def opens_brief(paragraphs: list[list[int]]) -> bool:
        return any(_opens_brief(lines, p) for p in paragraphs[:BRIEF_OPENING])

    return opens_brief(run) and opens_brief(current.paragraphs)


def _opens_brief(lines: list[Line], paragraph: list[int]) -> bool:
    first = lines[paragraph[0]]
    return first.byline and is_bare_dispatch(compact(first.text))


def _lead_in(lines: list[Line], paragraphs: list[list[int]]) -> int:
    """How many of an article's last paragraphs lead into a byline after them.

    Text set in body type before a byline that ends no sentence (a brief's
    title in a news roundup, the key points boxed above a report) belongs to
    the article the byline opens, as do lone lines right above it; so do
    key points that open with a bullet (``■``), whether or not they end a
    sentence.  Returns 0 when no such paragraph ends the article.
    """
    count = 0
    for paragraph in reversed(paragraphs):
        first, last = lines[paragraph[0]], lines[paragraph[-1]]
        if first.kind != BODY or _closes_article(lines, paragraph):
            break
        if last.sentence_end and not (count and first.text.startswith(BULLETS)):
            break
        if first.byline:
            return 0
        count += 1
    if not count:
        return 0
    while count < len(paragraphs) and lines[paragraphs[-count - 1][0]].kind == LONE:
        count += 1
    return count


def _headline_in_body_type(lines: list[Line], run: list[list[int]]) -> bool:
    """Whether the first paragraph of a run is a headline that reads as one.

    Headline lines may run on into each other like text (a word split
    across them); a paragraph of a line or two that ends no sentence above
    more text, set wider than the column of that text, is still a headline.
    """
    first = run[0]
    if len(run) < 2 or len(first) > MAX_HEADLINE_LINES or lines[first[-1]].sentence_end or lines[first[0]].byline:
        return False
    if _closes_article(lines, first):
        return False
    return _wider_than_column(lines, [first], run[1:])


def _text_pairs(lines: list[Line], paragraphs: list[list[int]]) -> set[str]:
    """The letter pairs of the text of ``paragraphs``."""
    return letter_pairs("".join(compact(lines[i].text) for paragraph in paragraphs for i in paragraph))


def _wider_than_column(lines: list[Line], paragraphs: list[list[int]], after: list[list[int]]) -> bool:
    """Whether a line of ``paragraphs`` runs past the column the text ``after`` them is set in."""
    column = common_width(_column_evidence(lines, after))
    return column is not None and any(lines[i].fill > column + HALF_WIDTH for p in paragraphs for i in p)


def _run(items: list, position: int) -> list[list[int]]:
    """The paragraphs from ``position`` up to the next lone line."""
    run = []
    for kind, value in items[position:]:
        if kind is None:
            break
        run.append(value)
    return run


def _paragraphs(lines: list[Line]):
    """Yield ``(None, index)`` for lone/teaser lines and ``("p", [indices])`` for paragraphs."""
    paragraph: list[int] = []
    for index, line in enumerate(lines):
        if line.kind != BODY:
            if paragraph:
                yield "p", paragraph
                paragraph = []
            yield None, index
            continue
        paragraph.append(index)
        if not line.goes_on:
            yield "p", paragraph
            paragraph = []
    if paragraph:
        yield "p", paragraph


def _starts_article(lines: list[Line], before: list[list[int]], gap: list[int], after: list[list[int]]) -> bool:
    """Whether the body text ``after`` opens a new article.

    ``before`` is the unbroken body text the current article ends with,
    ``gap`` the lone lines between them.  Bylines, jumps, sign-offs and
    teaser boxes always separate articles, but a credit right after a
    sign-off signs the same article off, a report opening with the dispatch
    a text was just signed off with (a letter, then the news of it) goes on
    with it, and so do a label after a sign-off (``推荐读物：``) and the
    caption of a photo story's next picture (``图③：``).  Lone lines between two stretches of text are a headline
    block (not sub-headings of one article) when one runs past the column
    (hanging punctuation aside), when the column width changes across them,
    or when one ends in a bracketed column tag.
    """
    first = lines[after[0][0]]
    last = lines[before[-1][-1]]
    if not gap and (is_sign_off(lines, after[0]) or NEXT_CAPTION_RE.match(compact(first.text))):
        return False  # credits follow one another (``制图：某某`` / ``本期统筹：某某``), so do captions
    if not gap and len(after[0]) == 1 and first.text.endswith(LEAD_IN_ENDS) and is_sign_off(lines, before[-1]):
        return False  # a label after a sign-off (``推荐读物：``, ``图片说明：``) adds to the article
    if not gap and first.byline and _signs_off_for(lines, before[-1], after[0]):
        return False  # a text signed ``（新华社北京4月9日电）``, then the report on it from that dispatch
    if first.byline or first.jump_from or last.jump_to or is_sign_off(lines, before[-1]):
        return True
    if any(lines[i].kind == TEASER for i in gap):
        return True
    before_widths = _column_evidence(lines, before[::-1], forward=False)
    after_widths = _column_evidence(lines, after)
    width_before, width_after = common_width(before_widths), common_width(after_widths)
    if _column_changes(before_widths, after_widths):
        return True
    if not gap:
        return False
    column = max((w for w in (width_before, width_after) if w is not None), default=None)
    if column is None or any(lines[i].fill > column + HALF_WIDTH for i in gap):
        return True
    return any(_has_headline_tag(lines[i].text) for i in gap) or _heads_text_before(lines, before, gap, after)


def _heads_text_before(lines: list[Line], before: list[list[int]], gap: list[int], after: list[list[int]]) -> bool:
    """Whether lone lines between two runs of text are the headline of the run before.

    A sub-heading introduces the text after it; a headline printed after its
    body sums up the text before it.  Lone lines whose letter pairs recur in
    the text before (``HEADLINE_RECURRENCE`` of them) and nowhere in the text
    after are the headline of the article before, and a new article follows;
    the lines after them, if any, head that article.  The first lines of the
    gap are taken whole: a kicker is not cut from its main line, nor a main
    line from its subtitle.
    """
    text_before, text_after = (_text_pairs(lines, run) for run in (before, after))
    for end in range(1, len(gap) + 1):
        if end < len(gap) and _holds_together(lines[gap[end - 1]], lines[gap[end]]):
            continue
        heading = letter_pairs("".join(compact(lines[i].text) for i in gap[:end]))
        if heading and len(heading & text_before) >= HEADLINE_RECURRENCE * len(heading) and not heading & text_after:
            return True
    return False


def _holds_together(line: Line, following: Line) -> bool:
    """Whether two lone lines are parts of one headline.

    A kicker (``山下——``, ``…：``) leads into the line after it, a dash subtitle follows the line before it.
    """
    return line.text.endswith(DASHES + LEAD_IN_ENDS) or following.text.startswith(DASHES)


def _has_headline_tag(text: str) -> bool:
    """``养老金发放有保障（民生视线）``: text, then a bracketed tag (not a bracketed line)."""
    return text.endswith(HEADLINE_TAG_ENDS) and not text.startswith(("（", "("))


def _column_changes(before: Counter, after: Counter) -> bool:
    """Whether the column widths measured each side of a break differ.

    Each side must be set in one width (most of its full lines agree: a page
    whose line widths wander, as real justified type does, shows no change),
    and the widths must differ by a character with ``MIN_WIDTH_SUPPORT``
    lines each side, or by ``BIG_WIDTH_CHANGE`` with fewer.
    """
    width_before, width_after = common_width(before), common_width(after)
    if width_before is None or width_after is None:
        return False
    support = min(before[width_before], after[width_after])
    pure = all(counts[width] >= COLUMN_PURITY * sum(counts.values())
               for counts, width in ((before, width_before), (after, width_after)))
    change = abs(width_before - width_after)
    if not pure or change < 1:
        return False
    return support >= MIN_WIDTH_SUPPORT or change >= BIG_WIDTH_CHANGE and support >= BIG_CHANGE_SUPPORT


def _column_evidence(lines: list[Line], paragraphs: list[list[int]], forward: bool = True) -> Counter:
    """Column width of the nearest paragraphs, and how many lines vouch for it.

    Only a paragraph's middle lines fill the column, and none is narrower
    than the line after it (a sub-heading run on into the text is); of
    those, a line that ends in a letter (see :func:`measures_column`) is
    exactly the column wide, or half a character short when it holds an
    odd number of half-width characters.  Paragraphs are read outwards from
    a break (``forward`` or backwards) until ``COLUMN_SAMPLE`` such lines are
    found, and no further than a paragraph set in another width (the next
    article) or an article's first or last paragraph (byline, sign-off, jump).
    """
    widths: Counter = Counter()
    for number, paragraph in enumerate(paragraphs):
        own = Counter(math.ceil(lines[i].width) for i in paragraph[1:-1]
                      if measures_column(lines[i].text) and lines[i].width >= lines[i + 1].width - FULL_LINE_SLACK)
        if widths and own and common_width(own) != common_width(widths):
            break
        if number and (lines[paragraph[0]].byline if forward else _closes_article(lines, paragraph)):
            break
        widths.update(own)
        if sum(widths.values()) >= COLUMN_SAMPLE:
            break
        if _closes_article(lines, paragraph) if forward else lines[paragraph[0]].byline:
            break
    return widths


def _closes_article(lines: list[Line], paragraph: list[int]) -> bool:
    return lines[paragraph[-1]].jump_to or is_sign_off(lines, paragraph)
