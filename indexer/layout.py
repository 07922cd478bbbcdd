"""Page layout: which printed lines are body text and which stand alone.

Works on the cues a reader's eye uses on a newspaper page:

* a body paragraph is wrapped to its column's width, greedily: every line
  but the last is full, the next line's first character would not fit on it
  (closing punctuation hangs into the margin rather than open a line); its
  first line is two characters short (the indent), its last ends a sentence;
* a headline line, or its dateline in brackets, is printed whole at its own
  width (too short to wrap with the text below) and ends no sentence (no 。！？);
* a block wrapped at one width is a paragraph even without a full stop (a
  lead, a deck); a line ending in a column tag (``…（治理之道）``) is a headline;
* a line that splits a word the page uses elsewhere (``城市运`` / ``动养分``)
  runs on into the next line, as a headline printed whole does not;
* a paragraph whose first line fills its column started on the line above;
* a kicker ending in a dash (``北京延庆——``) runs into the next headline
  line (a bullet ``●`` opens a list's point), a dash opens a subtitle;
* the line after a teaser opener (``详见 2版``) is the box's headline.

:func:`classify` marks each line; :mod:`indexer.leadins` then reads lone
lines that lead into the body below them (``各位代表：``, ``【点评】``) as
body, and :mod:`indexer.articles` groups the paragraphs into articles.

Widths count a wide character (hanzi, full-width punctuation) as 1 and any
other as ½, as a PDF prints them: ASCII, and the East Asian "ambiguous"
marks (curly quotes, dashes, ellipsis, middle dot) that a Chinese font
sets at half width.  An ideographic space (U+3000) inside a line is a
typesetter's and takes a character's room; other spaces are the justifier's.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from indexer.bylines import (
    JUMP_RE,
    RELATED_END_RE,
    SIGN_OFF_ENDS,
    SIGN_OFF_RE,
    compact,
    ends_with_column_tag,
    is_bracketed,
    is_byline_start,
    is_staff_line,
    jump_direction,
    teaser_page,
)

#: Punctuation that ends a sentence, and closing marks that may follow it (``。”``).
SENTENCE_END = "。！？；…!?;"
CLOSING_MARKS = "”’」』）)】〕\"'"
#: Closing punctuation a typesetter lets hang past the column's edge rather than open a line with it.
HANGING = "。，、；：？！”’」』）)】〕》〉…,.;:!?"
#: Marks that open the points of a list (the key points boxed above a report).
BULLETS = ("■", "●", "◆", "▲", "★", "▶")
#: A kicker ends with a dash, a subtitle opens with one.
DASHES = ("——", "—")
#: A headline line may end asking or exclaiming, never with a full stop.
HEADLINE_MARKS = ("！", "？", "!", "?")
#: Line endings that cannot end a headline or a paragraph: the sentence goes on.
SENTENCE_GOES_ON = "，、,（(“《〈「『【"
#: A line ending in a colon leads into the text below it (``各位代表：``; see :mod:`indexer.leadins`).
LEAD_IN_ENDS = ("：", ":")
#: A paragraph's first line is indented by about this many characters.
INDENT = 2.0
#: Two column widths differ when they are this far apart (in characters).
WIDTH_CHANGE = 1.5
#: A paragraph that runs longer than this without ending a sentence is not one.
MAX_PARAGRAPH_LINES = 80
#: How far a wrapped line may fall short of / run over its column (punctuation
#: pulled back to avoid starting a line with it makes lines a little wider).
FULL_LINE_SLACK = 1.5
OVERFULL_SLACK = 2.5
#: Full lines after its first that show a block without a full stop is wrapped.
MIN_WRAPPED_LINES = 2
#: A wrapped line this much narrower than the one before it ends its paragraph
#: (a paragraph's first line may be narrower still by the indent).
SHORT_LINE = 2.0

#: A wrapped lead's last line runs at most this share of its column (see :func:`_join_wrapped_leads`).
SHORT_LAST_LINE = 1 / 3
#: Full lines that show the column a run of body text is set in.
COLUMN_LINES = 6
#: Share of neighbouring full lines that must agree on their width to show a page set exactly.
EXACT_TYPE = 0.8

#: Labels of boxes printed at the head of an article's body (key points, editor's note).
BOX_LABELS = frozenset({"核心阅读", "阅读提示", "内容提要", "编者按", "导读", "编者的话", "开栏的话", "记者手记"})
#: Body lines of their own: a part number (``一``, ``①``) over a section, a quote's source (``——《经济日报》``).
OWN_LINE_RE = re.compile(r"^[一二三四五六七八九十]{1,3}$|^[①②③④⑤⑥⑦⑧⑨⑩]$|^——《[^《》]+》$")
#: Lines after a teaser opener read as its headline, whatever their width (see :func:`_boxed`).
MAX_BOX_LINES = 1
#: The wrapped rest of a labelled credit (``来源：…``), and of a line of names
#: spaced by the typesetter, is at most this share of its width.
CREDIT_SCRAP = 1 / 2
NAMES_SCRAP = 1 / 3
#: A bracketed sign-off runs over at most this many lines.
MAX_SIGN_OFF_LINES = 6

BODY, LONE, TEASER = "body", "lone", "teaser"
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
#: A typesetter's full-width space, which takes a character's room on a line.
IDEOGRAPHIC_SPACE = "\u3000"
#: A typesetter's fixed space (no-break or ideographic) between two printed characters: body type
#: spaces a letter-spaced label (``回\u00a0信``) or a list of names so; a headline's parts stand
#: apart by the justifier's plain spaces.
SET_SPACE_RE = re.compile(r"\S[ \u00a0\u3000]*[\u00a0\u3000][ \u00a0\u3000]*\S")


@dataclass
class Line:
    """One non-blank input line and what its typography says."""

    number: int  # 1-based line number in the input
    text: str  # without surrounding whitespace
    width: float = 0.0
    fill: float = 0.0  # width without the closing punctuation that may hang into the margin
    lead: float = 0.0  # width of the first character
    span: float = 0.0  # width with the spaces in it, which a justifier may have spread the line with
    sentence_end: bool = False
    teaser: int | None = None  # page a teaser box points to
    jump_to: bool = False  # a （下转N版） ends on this line
    jump_from: bool = False  # a （上接N版） starts on this line
    jump_open: bool = False  # a jump marker starts on this line and ends on a later one
    byline: bool = False  # opens with 本报讯 / …电
    staff: bool = False  # a staff line such as 本报记者 某某 (inside an article as often as at its head)
    kind: str = ""  # BODY, LONE or TEASER
    goes_on: bool = False  # body line whose paragraph continues on the next line
    joins: bool = False  # a word runs on into the next line (see :func:`_mark_word_breaks`)


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` (any of \\n, \\r\\n, \\r ends a line), measured."""
    lines = [
        Line(number=number, text=raw.strip())
        for number, raw in enumerate(LINE_BREAK_RE.split(text), 1)
        if raw and not raw.isspace()
    ]
    compacts = [compact(line.text) for line in lines]
    for index, line in enumerate(lines):
        spaces = line.text.count(IDEOGRAPHIC_SPACE)
        line.width = _width(compacts[index]) + spaces
        line.fill = _width(compacts[index].rstrip(HANGING)) + spaces
        line.lead = _width(compacts[index][:1])
        line.span = _width(line.text)
        line.teaser = teaser_page(line.text)
        following = compacts[index + 1][:24] if index + 1 < len(lines) else ""
        line.byline = is_byline_start(compacts[index] + following)
        line.staff = not line.byline and is_staff_line(line.text)
        line.sentence_end = _ends_sentence(compacts[index])
    _mark_jumps(lines, compacts)
    _mark_word_breaks(lines, compacts)
    return lines


# --- lines ---------------------------------------------------------------------


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.5 for char in text)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSING_MARKS)  # a pointer may follow the full stop: ``…了基础。（相关报道见第二版）``
    return bool(stripped) and stripped[-1] in SENTENCE_END or bool(RELATED_END_RE.search(text))


def letter_pairs(text: str) -> set[str]:
    """Pairs of adjacent letters/hanzi/digits in ``text`` (punctuation breaks a pair)."""
    return {a + b for a, b in zip(text, text[1:]) if a.isalnum() and b.isalnum()}


def _mark_word_breaks(lines: list[Line], compacts: list[str]) -> None:
    """Mark lines whose last letter and the next line's first make a pair seen elsewhere on the page.

    The typesetter breaks lines anywhere, so a wrapped line often splits a
    word (``城市运`` / ``动养分``), and that word recurs on the page; a
    headline printed whole ends at a word's end, and its last letter with
    the first of the next line makes a pair seen nowhere else.
    """
    seen = Counter(a + b for text in compacts for a, b in zip(text, text[1:]))
    for index in range(len(lines) - 1):
        last, first = compacts[index][-1:], compacts[index + 1][:1]
        lines[index].joins = last.isalnum() and first.isalnum() and seen[last + first] > 0


def _mark_jumps(lines: list[Line], compacts: list[str]) -> None:
    """Find jump markers across line breaks (``（`` / ``下转3版）``)."""
    owners: list[int] = []
    for index, text in enumerate(compacts):
        owners += [index] * len(text)
    for match in JUMP_RE.finditer("".join(compacts)):
        for index in range(owners[match.start()], owners[match.end() - 1]):
            lines[index].jump_open = True
        if jump_direction(match.group("dir")) == "to":
            end_line = lines[owners[match.end() - 1]]
            end_line.jump_to = end_line.sentence_end = True
        else:
            lines[owners[match.start()]].jump_from = True


def classify(lines: list[Line]) -> None:
    """Mark each line BODY, LONE (headline candidate) or TEASER."""
    slack = _justify_slack(lines)
    goes_on = False
    start = 0  # first line of the current paragraph
    box = 0  # lines of a teaser box's headline still to come
    for index, line in enumerate(lines):
        if line.teaser is not None:
            line.kind, goes_on, box = TEASER, False, MAX_BOX_LINES
            continue
        if box and _boxed(line):
            line.kind, box = LONE, box - 1
            continue
        box = 0
        if goes_on and (line.byline or line.staff or line.text.startswith(BULLETS)):
            lines[index - 1].goes_on = goes_on = False  # a byline, or a list's point, opens a paragraph of its own
        if goes_on:
            line.kind = BODY
            previous = lines[index - 1]
            room = SHORT_LINE + (INDENT if index - 1 == start else 0)
            short = line.width < previous.width - room
            closes = line.text.endswith(SIGN_OFF_ENDS) and (is_sign_off(lines, list(range(start, index + 1)))
                                                            or is_bracketed(line.text) and is_sign_off(lines, [index]))
            closes = closes or index - 1 == start and is_sign_off(lines, [start])  # a credit ends on its second line
            line.goes_on = line.jump_open or not (line.sentence_end or line.jump_to or short or closes)
        elif _continues_headline(lines, index):
            line.kind = LONE
        elif line.text.startswith(("（", "(")) and _signs_off(lines, index):
            line.kind = BODY  # ``（本报布鲁塞尔9月28日电）``, even where headlines wrap like text below it
            line.goes_on = _open_brackets(line.text) > 0
        elif line.sentence_end or line.byline or line.staff or line.jump_from or _opens_paragraph(lines, index, slack):
            line.kind = BODY
            line.goes_on = not line.sentence_end and not line.staff
        elif line.joins and not _opens_article(lines[index + 1]) and _could_wrap(line, lines[index + 1]):
            line.kind, line.goes_on = BODY, True
        elif compact(line.text) in BOX_LABELS or OWN_LINE_RE.match(compact(line.text)):
            line.kind = BODY
        elif SET_SPACE_RE.search(line.text):
            line.kind = BODY
            line.goes_on = _runs_on_into_scrap(lines, index, NAMES_SCRAP)
        elif _signs_off(lines, index):
            line.kind = BODY
            ended = is_sign_off(lines, [index]) or line.text.endswith(("）", ")"))
            line.goes_on = not ended or _credit_runs_on(lines, index)
        else:
            line.kind = LONE
        if not goes_on:
            start = index
        goes_on = line.goes_on
    _join_full_lines(lines, slack)
    _split_unwrapped_openings(lines, slack)
    _join_unindented_openings(lines, slack)
    _join_wrapped_leads(lines, slack)


def _split_unwrapped_openings(lines: list[Line], slack: float) -> None:
    """Read a line on top of a paragraph that is too short to be wrapped with it as a lone line.

    Type is set greedily: a paragraph's first line fills its column (less the indent, or all of
    it, spread with spaces perhaps); a narrower one ending in a letter was printed whole (a headline).
    """
    for index, (line, following) in enumerate(zip(lines, lines[1:])):
        if line.kind != BODY or not line.goes_on or line.jump_open or _opens_article(line):
            continue
        if index and lines[index - 1].kind == BODY and lines[index - 1].goes_on or not line.text[-1].isalnum():
            continue  # not a paragraph's first line, or it ends in punctuation (a verse, a list)
        if not following.goes_on:
            continue  # a paragraph of two lines shows no column
        column = _paragraph_column(lines, index, own=True)
        if column is None or line.width >= column or line.span > line.width and line.span >= column - INDENT:
            continue
        if not any(_fills(line, following, width, slack) for width in (column - INDENT, column)):
            line.kind, line.goes_on = LONE, False


def _join_unindented_openings(lines: list[Line], slack: float) -> None:
    """Read a lone line as the line before a paragraph that opens without an indent.

    A paragraph's first line is indented; one whose first line fills its
    column (see :func:`_fills`) started earlier, so the lone line above it
    is its beginning when it fills the column too, as a first line (less the
    indent) or a full one (its justifier spaces included, if any), and its
    sentence goes on.  A line ending in a bracket (``2012年，太原煤气化（集团）``)
    must be a whole indented first line, else it ends in a headline's column
    tag (``…（快评）``).  A line opening with a dash or wholly in brackets (a
    dateline) is a headline's, whatever its width, and so is the main line
    under a kicker ending in a double dash (one dash may end a range: ``减产10%—``).
    """
    for index in range(len(lines) - 3, -1, -1):
        line, first, second = lines[index], lines[index + 1], lines[index + 2]
        if line.kind != LONE or first.kind != BODY or not first.goes_on or line.sentence_end:
            continue
        if _opens_article(first) or line.text.startswith(DASHES) or is_bracketed(line.text):
            continue
        if index and lines[index - 1].kind == LONE and lines[index - 1].text.endswith(DASHES[0]):
            continue  # the main line under a kicker
        column = _paragraph_column(lines, index + 1)
        if column is None or not _fills(first, second, column, slack):
            continue
        if ends_with_column_tag(line.text):  # ``中国（河北）`` opening a paragraph, its bracket inside the column
            joins = line.width <= column - INDENT and _fills(line, first, column - INDENT, slack)
        else:  # the justifier may have spread the line to its width with spaces
            joins = any(_fills(line, first, width, slack) or line.width < line.span == width
                        for width in (column - INDENT, column))
        if joins:
            line.kind, line.goes_on = BODY, True


def _join_wrapped_leads(lines: list[Line], slack: float) -> None:
    """Read lone lines wrapped at the column of the body below them as a paragraph.

    A lead or a quote pulled out above the body may end without a full stop;
    it is still wrapped like the body: each line but the last fills the
    column the text below is set in (the first less the indent, or all of
    it), and the last is short (``SHORT_LAST_LINE`` of the column at most),
    as a headline line under a full one hardly is.  Lines with a column tag,
    a dash or a full stop are left alone.
    """
    end = len(lines) - 1
    while end > 0:
        if lines[end].kind != BODY or lines[end - 1].kind != LONE or not lines[end].goes_on:
            end -= 1
            continue
        column = _paragraph_column(lines, end)
        first = end - 1
        while first > 0 and lines[first - 1].kind == LONE and not _headline_like(lines[first - 1]):
            first -= 1
        for start in range(first, end - 1) if column is not None else ():
            block = lines[start:end]
            if _headline_like(block[-1]) or block[-1].width > column * SHORT_LAST_LINE:
                continue
            if all(_fills(line, following, column - (INDENT if k == 0 else 0), slack)
                   or _fills(line, following, column, slack)
                   for k, (line, following) in enumerate(zip(block, block[1:]))):
                for line in block:
                    line.kind, line.goes_on = BODY, True
                block[-1].goes_on = False
                break
        end = first - 1


def _headline_like(line: Line) -> bool:
    """A line no paragraph wraps through: it ends a sentence, ends in a column tag, or has a dash at an end."""
    text = line.text
    return line.sentence_end or ends_with_column_tag(text) or text.startswith(DASHES) or text.endswith(DASHES)


def _paragraph_column(lines: list[Line], start: int, own: bool = False) -> int | None:
    """The column the body text from ``start`` on (``own`` paragraph only, if asked) is set in.

    The commonest width of the full lines after the first of each paragraph
    (a first line may be indented), over up to ``COLUMN_LINES`` of them.
    """
    widths: Counter = Counter()
    for index in range(start + 1, len(lines)):
        if lines[index].kind != BODY or sum(widths.values()) >= COLUMN_LINES:
            break
        if own and not lines[index - 1].goes_on:
            break
        if lines[index].goes_on and lines[index - 1].goes_on and measures_column(lines[index].text):
            widths[math.ceil(lines[index].width)] += 1
    return common_width(widths)


def _continues_headline(lines: list[Line], index: int) -> bool:
    """Whether a line is the next part of the headline above it.

    A kicker ending in a dash (``北京延庆——``) leads into the main line, and
    a line opening with a dash after a headline line is its subtitle, which
    may ask or exclaim (``——…如何保驾护航？``).  A main line may exclaim too:
    ``将战“疫”进行到底！`` over a dash subtitle is a headline, not a sentence.
    """
    line = lines[index]
    if _opens_article(line) or line.text.startswith(BULLETS):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else None
    if line.text.endswith(HEADLINE_MARKS) and following is not None and following.text.startswith(DASHES):
        return not following.text.endswith("。")
    if not index or lines[index - 1].kind != LONE:
        return False
    if line.text.startswith(DASHES):
        return not line.sentence_end or line.text.endswith(HEADLINE_MARKS)
    return not line.sentence_end and lines[index - 1].text.endswith(DASHES)


def _could_wrap(line: Line, following: Line) -> bool:
    """Whether ``line`` is wide enough to be wrapped at the width of the column ``following`` is set in."""
    return line.span + INDENT + WIDTH_CHANGE >= following.width


def _opens_article(line: Line) -> bool:
    """Whether a line can only open an article or a teaser box, never continue a paragraph."""
    return line.teaser is not None or line.byline or line.staff or line.jump_from


def _boxed(line: Line) -> bool:
    """Whether a line after a teaser opener can be a line of the box's headline."""
    return not (line.sentence_end or _opens_article(line) or line.joins or line.text[-1] in SENTENCE_GOES_ON)


def _join_full_lines(lines: list[Line], slack: float) -> None:
    """Keep a paragraph going past a full line that happens to end a sentence.

    A paragraph ends at a short line, or where the next line is indented;
    a sentence that ends exactly at the column's edge does not end it.  A
    next line that is a whole sentence too short to show an indent (``褚福灵说。``)
    mostly finishes the paragraph; a sign-off never does.  The paragraph,
    through the end of the one the next line opens, must still read as wrapped
    at one width (a headline, or a report set wider, does not continue it).
    """
    start = 0  # first line of the current paragraph
    for index in range(1, len(lines) - 1):
        if not (lines[index - 1].kind == BODY and lines[index - 1].goes_on):
            start = index
        previous, line, following = lines[index - 1], lines[index], lines[index + 1]
        if line.kind != BODY or following.kind != BODY or line.goes_on or line.jump_to:
            continue
        if not (previous.kind == BODY and previous.goes_on and line.sentence_end):
            continue  # only a continued line can be a full line of its paragraph
        if _opens_article(following) or not following.goes_on and is_sign_off(lines, [index + 1]):
            continue  # a byline opens a paragraph, a credit (``勾犇图 实思文``) is one, whatever its width
        full = line.width >= previous.width - FULL_LINE_SLACK
        indented = following.width <= line.width - WIDTH_CHANGE
        if indented and not following.goes_on:  # a sentence on one line: too short to tell
            indented = following.width > line.width - INDENT - WIDTH_CHANGE
        end = next((j for j in range(index + 1, len(lines)) if not lines[j].goes_on), len(lines) - 1)
        if full and not indented and _wrapped_column(lines, start, end, slack) is not None:
            line.goes_on = True


def _signs_off(lines: list[Line], index: int) -> bool:
    """Whether a sign-off such as ``（本报布鲁塞尔9月28日电）`` starts here.

    A bracketed sign-off may run over a few lines, up to the line where its
    brackets close; all of them are body text.
    """
    depth = 0
    for last in range(index, min(index + MAX_SIGN_OFF_LINES, len(lines))):
        if is_sign_off(lines, list(range(index, last + 1))):
            return True
        depth += _open_brackets(lines[last].text)
        if depth <= 0 and lines[last].text.endswith(("）", ")")):
            return False
    return False


def _credit_runs_on(lines: list[Line], index: int) -> bool:
    """Whether a credit line (``数据来源：中共某市委宣``) runs on into the short line below (``传部``).

    Only a labelled credit (``来源：``) wraps; a photo credit ends on its line.
    """
    return any(mark in lines[index].text for mark in LEAD_IN_ENDS) and _runs_on_into_scrap(lines, index, CREDIT_SCRAP)


def _runs_on_into_scrap(lines: list[Line], index: int, share: float) -> bool:
    """Whether the line below is the wrapped rest of this one.

    The rest is a scrap, ``share`` of the line's width at most, and ends no
    sentence; a headline under a credit or a label is a line of its own.
    """
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None or _opens_article(following):
        return False
    return following.width < lines[index].width * share and not following.sentence_end and not _headline_like(following)


def _open_brackets(text: str) -> int:
    """How many more brackets ``text`` opens than it closes."""
    return sum(map(text.count, "（(")) - sum(map(text.count, "）)"))


def _opens_paragraph(lines: list[Line], index: int, slack: float) -> bool:
    """Whether a line after a finished sentence starts a wrapped paragraph.

    It does when its sentence plainly goes on, or when this line and the
    lines below it, up to the end of the sentence, read as one paragraph
    wrapped at one column width (see :func:`_wrapped_column`; ``slack`` as
    :func:`_fills` takes it).
    """
    line = lines[index]
    if line.text[-1] in SENTENCE_GOES_ON:
        return True
    if ends_with_column_tag(line.text) or is_bracketed(line.text):
        return False  # ``…（治理之道）`` / ``（2020年9月4日，北京）``: a headline's column tag or dateline
    if _starts_wrapped_block(lines, index, slack):
        return True
    run: list[Line] = []
    for other in lines[index + 1:index + 1 + MAX_PARAGRAPH_LINES]:
        if other.teaser is not None or other.byline or other.staff:
            break
        run.append(other)
        if other.sentence_end:
            break
    if not run or not run[-1].sentence_end:
        return False  # no sentence ends before the next byline: these lines stand alone
    if any(ends_with_column_tag(other.text) for other in run[:-1]) or run[0].text.startswith(DASHES):
        return False  # ``…（治理之道）`` / ``——…``: a headline's column tag or subtitle, not a wrapped line
    if len(run) == 1:  # a two-line paragraph: its last line is no wider than a full line
        return run[0].width <= line.width + INDENT + OVERFULL_SLACK
    return _wrapped_column(lines, index, index + len(run), slack) is not None


def _starts_wrapped_block(lines: list[Line], index: int, slack: float) -> bool:
    """Whether a line opens a block wrapped at one column width, punctuated or not.

    A headline is printed line by line, each at its own width; a paragraph
    (a lead or summary set without a full stop too) is wrapped: its first
    line and at least ``MIN_WRAPPED_LINES`` more fill one column (see
    :func:`_wrapped_column`), then a line falls short of it.  A byline or a
    staff line opens a paragraph of its own, so the block ends before it.
    """
    if any(_opens_article(line) for line in lines[index + 1:index + MIN_WRAPPED_LINES + 1]):
        return False
    for last in range(index + MIN_WRAPPED_LINES + 1, min(index + MAX_PARAGRAPH_LINES, len(lines))):
        if _opens_article(lines[last]):
            return False
        column = _wrapped_column(lines, index, last, slack)
        if column is None:
            return False
        if last + 1 == len(lines) or not _fills(lines[last], lines[last + 1], column, slack):
            return True
    return False


def _wrapped_column(lines: list[Line], first: int, last: int, slack: float) -> int | None:
    """The column width at which ``lines[first:last + 1]`` read as one wrapped paragraph, if any.

    Type is set greedily: a wrapped line holds as many characters as fit,
    so each line but the last fills the column (see :func:`_fills`) given the
    first character of the next one, the first line fills it less the
    indent (or all of it, where the indent was lost), and the last does not
    run past it.
    """
    middle = lines[first + 1:last]
    if not middle:
        return None
    low = math.floor(min(line.fill for line in middle))
    high = math.ceil(max(line.width for line in middle))
    for column in range(low, high + 1):
        if lines[last].fill > column + slack:
            continue
        if all(_fills(line, lines[first + 2 + k], column, slack) for k, line in enumerate(middle)) and (
            _fills(lines[first], lines[first + 1], column - INDENT, slack)
            or _fills(lines[first], lines[first + 1], column, slack)
        ):
            return column
    return None


def _fills(line: Line, following: Line, column: float, slack: float) -> bool:
    """Whether ``line`` is full at ``column``: the first character of ``following`` would not fit on it.

    Closing punctuation that does not fit hangs into the margin instead of
    opening the next line.  A page justified loosely (see :func:`_justify_slack`)
    may leave ``slack`` characters of room.
    """
    if line.fill <= column < line.width:
        return True
    return line.width <= column < line.width + following.lead + slack


def _justify_slack(lines: list[Line]) -> float:
    """Room a full line of this page may leave: none where the type is set exactly, else one character.

    On an exactly set page, neighbouring full lines of about one width
    (ending in a letter) have exactly one width, give or take a half-width
    character; a page whose justifier spaces lines out by eye mixes widths
    a character apart.
    """
    same = pairs = 0
    for line, following in zip(lines, lines[1:]):
        if measures_column(line.text) and measures_column(following.text):
            widths = math.ceil(line.width), math.ceil(following.width)
            if abs(widths[0] - widths[1]) <= 1:
                pairs += 1
                same += widths[0] == widths[1]
    return 0.0 if pairs and same >= EXACT_TYPE * pairs else 1.0


def is_sign_off(lines: list[Line], paragraph: list[int]) -> bool:
    """Whether the lines of a paragraph sign its article off (see :data:`indexer.bylines.SIGN_OFF_RE`)."""
    return bool(SIGN_OFF_RE.match(compact("".join(lines[i].text for i in paragraph))))


def common_width(counts: Counter) -> int | None:
    """The commonest width (the wider on a tie), or None without any."""
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0] if counts else None


def measures_column(text: str) -> bool:
    """Whether a full line's width is the column's: it does not end in
    punctuation (which may hang into the margin)."""
    return bool(text) and unicodedata.category(text[-1])[0] not in "PS"
