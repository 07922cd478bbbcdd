"""Newspaper typography: bylines, datelines and page-jump markers.

The patterns here describe how Chinese newspapers print the text around an
article rather than the article itself:

* bylines that open an article — ``本报讯（记者 林韬 通讯员 王凯）12月12日上午，``,
  ``本报北京1月7日电 （记者王伟健）``, ``新华社北京12月31日电（记者邹伟、王思北）``,
  ``据新华社洛杉矶2月28日电``, or ``本报记者 王观`` on a line of its own;
* jump markers — ``（下转2版）`` (the article continues on page 2),
  ``（上接1版）`` (it continues from page 1);
* teaser boxes — ``详见 2版``, ``（详见第4版）``, or ``详见      版2`` as the PDF
  justifier spreads it — that point to an article printed on another page;
* the column tag that ends a headline — ``…（民生视线）``.

Every pattern is matched against *compact* text: the printed text with all
whitespace removed, because the PDF justifier scatters spaces anywhere
(``本 报成都10月13日 电``).  Callers map compact offsets back themselves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

#: News agencies and papers that open a byline.  ``本报`` is "this paper".
AGENCY = (
    r"本报|新华社|中新社|中国新闻社|人民网|新华网|央视网|光明网|央广网"
    r"|[\u4e00-\u9fff]{2,8}?(?:日报|晚报|早报|时报|报社|通讯社|电视台|广播电台)"
)
#: Time-of-day words that may follow a dateline's day.
TIME_OF_DAY = r"凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|夜间|晚"
#: Endings that make a ``本报记者 某某`` line a photo or editing credit.
CREDIT_LINE_SUFFIXES = ("摄", "供图", "制图", "整理", "报道", "采写", "编译")
#: Staff roles in a byline credit, mapped to the record field they fill.
REPORTER_ROLES = ("特约记者", "见习记者", "实习记者", "首席记者", "记者")
CORRESPONDENT_ROLES = ("特约通讯员", "通讯员")
OTHER_ROLES = ("实习生", "摄影", "摄")

_DATE = r"\d{1,2}月\d{1,2}日"
#: Second letters of words that start with 电 (电视台, 电话, 电力…): ``德国电视二台`` is no dispatch.
ELECTRIC_WORDS = "视台影话网力子脑器商池站气梯源缆讯动竞信"
#: ``本报北京1月7日电`` / ``据新华社洛杉矶2月28日电`` / ``本报电``.
WIRE_RE = re.compile(
    rf"^据?(?P<agency>{AGENCY})(?P<place>[\u4e00-\u9fff、·]{{0,12}}?)"
    rf"(?P<date>{_DATE}(?:{TIME_OF_DAY})?)?电(?![{ELECTRIC_WORDS}])"
)
#: ``本报讯`` (district and city papers).
NEWS_RE = re.compile(rf"^(?P<agency>{AGENCY})讯")
#: ``（记者 林韬 通讯员 王凯）`` right after the wire/news opener.
CREDIT_RE = re.compile(r"[（(](?P<credit>[^（）()]{1,80})[）)]")
#: A dateline printed after the credit: ``12月12日上午，``.
TRAILING_DATE_RE = re.compile(rf"(?P<date>{_DATE}(?:{TIME_OF_DAY})?)")
#: ``本报记者 王观`` as a line of its own (whitespace removed).
STAFF_LINE_RE = re.compile(
    rf"^(?P<agency>{AGENCY})?(?:{'|'.join(REPORTER_ROLES)})"
    r"(?P<names>[\u4e00-\u9fff·、]{2,24})$"
)

#: ``（下转2版）``, ``（转第3版）``, ``（上接1版）``, ``（紧接第2版）`` — compact text.
JUMP_RE = re.compile(
    r"[（(](?P<dir>下转|转|上接|接|紧接)第?(?P<page>\d{1,3})(?:版|面)[）)]"
)
#: Teaser box openers: ``详见2版``, ``（详见第4版）``, ``详见版2``, ``见第3版``.
TEASER_RE = re.compile(
    r"^[（(]?(?:详见|见|请看|参见)(?:第?(?P<page>\d{1,3})(?:版|面)|版(?P<page2>\d{1,3}))[）)]?$"
)

#: A letter inside a bracketed sign-off, or a short bracketed aside in it: ``（作者为中央党校（国家行政学院）教授）``.
_IN_BRACKETS = r"(?:[^（）()]|[（(][^（）()]{0,24}[）)])"
#: A pointer to related text: ``（相关报道见第六版）``; it may close a paragraph's last sentence on its line.
_RELATED = r"[（(][^（）()]{0,12}见第?[\d一二三四五六七八九十]{1,3}(?:版|面)[）)]"
RELATED_END_RE = re.compile(rf"[。！？!?”]{_RELATED}$")
#: A paragraph that signs an article off: ``（新华社北京8月24日电）``,
#: ``（作者为日本前首相）``, ``（本报记者 林治波整理）``, ``（欣 欣）``, ``制图：蔡华伟``,
#: ``本期统筹：许诺``, ``王宇峰图 马原文``, ``新华社发``, ``资料照片``, a letter's or notice's signature and
#: date (``深圳市总工会`` / ``2020年6月1日``), or points to related text: ``（相关报道见第六版）``.
SIGN_OFF_RE = re.compile(
    rf"^[（(]{_IN_BRACKETS}{{0,160}}(?:电|记者|作者|整理|编译|摄|供图|制图|执笔|撰文|采写|化名|摘编|原载){_IN_BRACKETS}{{0,160}}[）)]$"
    rf"|^{_RELATED}$"
    r"|^[（(][\u4e00-\u9fff·]{2,5}[）)]$"
    r"|^[\u4e00-\u9fff]{0,4}(?:制图|摄影|设计|供图|来源|图片|编辑|统筹|策划|责编|撰文|执笔|邮箱)[:：]"
    r"|^(?:本报记者|记者|新华社记者)?[\u4e00-\u9fff·]{2,12}(?:摄影报道|摄|供图|绘)(?:[（(][^（）()]{1,12}[）)])?$"
    r"|^[\u4e00-\u9fff·]{2,4}图[\u4e00-\u9fff·]{2,4}文$"
    rf"|^(?:{AGENCY})(?:记者[\u4e00-\u9fff·、]{{2,12}})?发$"
    r"|^[\u4e00-\u9fff·]{0,24}\d{4}年\d{1,2}月\d{1,2}日$"
    r"|^资料(?:照片|图片)$"
)
#: A paragraph may become a sign-off where a bracket closes or a signature's date ends.
SIGN_OFF_ENDS = ("）", ")", "日")

#: Headlines often end with a bracketed column tag: ``（民生视线）``, or a series' name of 20 and more.
COLUMN_TAG_RE = re.compile(r"(?<=[\u4e00-\u9fff”！？])[（(][\u4e00-\u9fff·、 ①-⑳]{2,24}[）)]$")

#: Longest name in a staff line (``阿尔达克``; a compound name with ``·`` counts its parts).
MAX_NAME_CHARS = 4

_MONTH_DAY_RE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_NAME_SPLIT_RE = re.compile(r"[、，,；;/\s\u3000]+")


def compact(text: str) -> str:
    """Return ``text`` without any whitespace."""
    return "".join(text.split())


def ends_with_column_tag(text: str) -> bool:
    """Whether a line ends in a short bracketed column tag after text: ``…（治理之道）``."""
    return bool(COLUMN_TAG_RE.search(compact(text)))


def teaser_page(line: str) -> int | None:
    """Page number of a teaser-box line (``详见 2版``), else None."""
    match = TEASER_RE.match(compact(line))
    if not match:
        return None
    return int(match.group("page") or match.group("page2"))


def jump_direction(direction: str) -> str:
    """``"to"`` for 下转/转, ``"from"`` for 上接/接/紧接."""
    return "to" if direction in ("下转", "转") else "from"


def is_byline_start(compact_text: str) -> bool:
    """Whether compact text starts with a wire or news byline (``本报讯``, ``…电``)."""
    return bool(WIRE_RE.match(compact_text) or NEWS_RE.match(compact_text))


def is_bracketed(text: str) -> bool:
    """Whether a line is wholly in brackets: ``（2020年9月4日，北京）``, an aside, a dateline or a sign-off."""
    text = compact(text)
    return text.startswith(("（", "(")) and text.endswith(("）", ")"))


def is_bare_dispatch(compact_text: str) -> bool:
    """Whether compact text opens with a dispatch naming neither place nor date: ``本报电``.

    Roundups of briefs sign each one so, its title set in body type above it.
    """
    match = WIRE_RE.match(compact_text)
    return bool(match) and not match.group("place") and not match.group("date")


def is_staff_line(line: str) -> bool:
    """Whether a whole line is a staff byline such as ``本报记者 王观``.

    The names are short (``MAX_NAME_CHARS`` each, separated by ``、``), and
    the line names the paper or sets the names apart with a space, so that a
    sentence that starts with ``本报记者在…`` or a label like ``记者手记``
    is not taken for one.
    """
    text = compact(line)
    match = STAFF_LINE_RE.match(text)
    if not match or text.endswith(CREDIT_LINE_SUFFIXES):
        return False
    if any(len(name) > MAX_NAME_CHARS for name in match.group("names").split("、")):
        return False
    return bool(match.group("agency")) or bool(re.search(r"记者\s", line))


@dataclass
class Byline:
    """Metadata read from the opening of an article body."""

    agency: str | None = None
    place: str | None = None
    dateline: str | None = None
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)


def read_byline(first_paragraph: str) -> Byline:
    """Read agency, place, dateline and staff from a body's first paragraph.

    ``first_paragraph`` may still hold the page's spaces; they only matter
    inside the credit, where they separate names (``记者 林韬 郑斌``).
    """
    text, offsets = _compact_with_offsets(first_paragraph)
    byline = Byline()
    staff = STAFF_LINE_RE.match(text)
    if staff:
        byline.agency = staff.group("agency")
        start = staff.end("agency") if staff.group("agency") else 0
        byline.reporters = _credit(_raw(first_paragraph, offsets, start, len(text)))[0]
        return byline
    opener = WIRE_RE.match(text) or NEWS_RE.match(text)
    if not opener:
        return byline
    groups = opener.groupdict()
    byline.agency = groups["agency"]
    byline.place = groups.get("place") or None
    byline.dateline = groups.get("date")
    end = opener.end()
    credit = CREDIT_RE.match(text, end)
    if credit:
        raw_credit = _raw(first_paragraph, offsets, *credit.span("credit"))
        byline.reporters, byline.correspondents = _credit(raw_credit)
        end = credit.end()
    if byline.dateline is None:
        trailing = TRAILING_DATE_RE.match(text, end)
        if trailing:
            byline.dateline = trailing.group("date")
    return byline


def _compact_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and each kept character's offset in ``text``."""
    offsets = [i for i, char in enumerate(text) if not char.isspace()]
    return "".join(text[i] for i in offsets), offsets


def _raw(text: str, offsets: list[int], start: int, end: int) -> str:
    """The span of ``text`` behind compact offsets ``start:end``."""
    if start >= end:
        return ""
    return text[offsets[start]:offsets[end - 1] + 1]


_ROLE_RE = re.compile(
    "(" + "|".join(sorted(REPORTER_ROLES + CORRESPONDENT_ROLES + OTHER_ROLES, key=len, reverse=True)) + ")"
)


def _credit(credit: str) -> tuple[list[str], list[str]]:
    """Split ``记者 林韬、郑斌 通讯员 王凯`` into reporters and correspondents.

    Names are separated by 、，/ or spaces; a one-character piece is a name
    the justifier split (``周伟 新``) and joins the name before it.
    """
    reporters: list[str] = []
    correspondents: list[str] = []
    role = None
    for part in _ROLE_RE.split(credit):
        if _ROLE_RE.fullmatch(part):
            role = part
            continue
        names: list[str] = []
        for piece in _NAME_SPLIT_RE.split(part):
            if len(piece) == 1 and names:
                names[-1] += piece
            elif piece:
                names.append(piece)
        if role in REPORTER_ROLES:
            reporters += names
        elif role in CORRESPONDENT_ROLES:
            correspondents += names
    return reporters, correspondents


def resolve_dateline(dateline: str | None, issue_date: datetime.date | None) -> datetime.date | None:
    """The date a dateline names, in the issue's year (December in a January issue → year before)."""
    if not dateline or issue_date is None:
        return None
    match = _MONTH_DAY_RE.search(dateline)
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    year = issue_date.year - 1 if month > issue_date.month else issue_date.year
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
