"""Give each headline line to the article (or teaser box) it belongs to.

A block of lone lines between two articles holds, in printed order, the
headline of the article before (printed after its body), the lines of any
teaser boxes (each opened by ``详见 N版``), and the headline of the article
after (printed before its body).  Position alone cannot tell where one ends
and the next begins, content can: a headline's characters recur in its own
body.  Each possible split is scored by the share of each line's character
bigrams found in the body it would join, and one dynamic programme over the
page picks the best splits, so that no article gets a headline both before
and after its body.

Typography keeps headline parts together: a kicker ending in ``——`` or ``：``
belongs with the line after it, a subtitle opening with ``——`` or a dateline
in brackets (``（2020年9月4日，北京）``) with the line before it.  It also ends
a headline: nothing but a subtitle follows a main line that ends in a column
tag (``…（人民时评）``) or follows a kicker, and nothing follows a subtitle.

Content also undoes a merge: a body that gets a headline both above and
below it is two articles set one after the other, split where the words of
each headline stop recurring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.bylines import compact, ends_with_column_tag, is_bracketed
from indexer.articles import Article
from indexer.layout import TEASER, Line, letter_pairs

#: Score of a teaser-box line: teasers have no body here, so a line stays in
#: the box unless it recurs in the following body more than this.
TEASER_LINE_SCORE = 0.2
#: Tie-break towards the headline-after-body layout, the commonest one.
AFTER_BODY_BONUS = 0.02
#: Cost of splitting a headline between a kicker/subtitle and its main line.
BROKEN_HEADLINE_COST = 1.0
#: Cost of an article with headlines both before and after its body.
TWO_HEADLINES_COST = 0.5
#: Cost of reading a line after a subtitle, or after a main line ending in a
#: column tag, as part of the same headline (a plain subtitle may follow the latter).
AFTER_SUBTITLE_COST = 1.0
AFTER_TAG_COST = 0.8
#: Cost of an article without any headline (most have one).
NO_HEADLINE_COST = 0.1
KICKER_ENDS = ("——", "—", "：", ":")
SUBTITLE_STARTS = ("——", "—")


@dataclass
class Teaser:
    """A teaser box: the ``详见 N版`` line and its headline lines."""

    opener: int
    titles: list[int] = field(default_factory=list)


@dataclass
class Placed:
    """Articles with their headlines, and the page's teaser boxes."""

    articles: list[Article]
    teasers: list[Teaser]


@dataclass
class _Option:
    """One way to share a gap's lines."""

    after: list[int]  # headline of the article before the gap
    teasers: list[Teaser]
    before: list[int]  # headline of the article after the gap
    score: float


def assign_headlines(articles: list[Article], gaps: list[list[int]], lines: list[Line]) -> Placed:
    """Fill ``Article.titles`` from the gaps and collect teaser boxes.

    Lines no article can take (a page of headlines only) become an article
    without body, so that no text is lost.
    """
    articles = list(articles)
    gaps = [list(gap) for gap in gaps]
    if not articles:
        articles = [Article()]
        gaps = [gaps[0], []]
    bigrams = [letter_pairs("".join(compact(lines[i].text) for p in a.paragraphs for i in p)) for a in articles]
    options = [
        _gap_options(gap, lines, bigrams[j - 1] if j > 0 else None, bigrams[j] if j < len(articles) else None)
        for j, gap in enumerate(gaps)
    ]
    choice = _best_choice(options)
    teasers: list[Teaser] = []
    orphans: list[Article] = []
    for j, option in enumerate(choice):
        if option.after and j == 0:  # headlines above a teaser box at the top of the page
            orphans.append(Article(titles=option.after))
        elif option.after:
            articles[j - 1].titles += option.after
        if option.before:
            articles[j].titles = option.before + articles[j].titles
        teasers += option.teasers
    placed = [part for a in articles if a.paragraphs or a.titles for part in _split_between_headlines(a, lines)]
    return Placed(articles=orphans + placed, teasers=teasers)


def _split_between_headlines(article: Article, lines: list[Line]) -> list[Article]:
    """Two articles where one body got a headline above it and another below it.

    Two articles printed one after the other with nothing between them read
    as one body, which then takes the headline of the first (above) and of
    the second (below).  The body parts where the words of each headline
    recur tell them apart: the split goes after the line ending a sentence
    (a paragraph's last line, or a full line the paragraph ran on past) that
    best divides the bigrams of the headline above from those of the
    headline below, and only where each headline recurs more in its own
    part than in the other.
    """
    paragraphs = article.paragraphs
    if not article.titles or not paragraphs:
        return [article]
    above = [i for i in article.titles if i < paragraphs[0][0]]
    below = [i for i in article.titles if i > paragraphs[-1][-1]]
    if not above or not below:
        return [article]
    pieces = [piece for paragraph in paragraphs for piece in _sentences_pieces(paragraph, lines)]
    if len(pieces) < 2:
        return [article]
    first, second = (letter_pairs("".join(compact(lines[i].text) for i in block)) for block in (above, below))
    texts = ["".join(compact(lines[i].text) for i in piece) for piece in pieces]
    leaning = [len(first & grams) - len(second & grams) for grams in map(letter_pairs, texts)]
    whole = sum(leaning)
    best, split = abs(whole), 0
    ahead = 0
    for k in range(1, len(pieces)):
        ahead += leaning[k - 1]
        if 2 * ahead - whole > best:
            best, split = 2 * ahead - whole, k
    if not split:
        return [article]
    head, tail = (letter_pairs("".join(texts[:split])), letter_pairs("".join(texts[split:])))
    if len(first & head) <= len(first & tail) or len(second & tail) <= len(second & head):
        return [article]
    cut = pieces[split][0]  # first line of the second article
    head_paragraphs = [kept for kept in ([i for i in p if i < cut] for p in paragraphs) if kept]
    tail_paragraphs = [kept for kept in ([i for i in p if i >= cut] for p in paragraphs) if kept]
    return [Article(paragraphs=head_paragraphs, titles=above), Article(paragraphs=tail_paragraphs, titles=below)]


def _sentences_pieces(paragraph: list[int], lines: list[Line]) -> list[list[int]]:
    """A paragraph's lines, cut after every line that ends a sentence."""
    pieces: list[list[int]] = [[]]
    for i in paragraph:
        pieces[-1].append(i)
        if lines[i].sentence_end:
            pieces.append([])
    return [piece for piece in pieces if piece]


def _gap_options(gap: list[int], lines: list[Line], before_body: set | None, after_body: set | None) -> list[_Option]:
    """Every admissible way to share one gap's lines, scored."""
    pre: list[int] = []
    teasers: list[Teaser] = []
    for index in gap:
        if lines[index].kind == TEASER:
            teasers.append(Teaser(opener=index))
        elif teasers:
            teasers[-1].titles.append(index)
        else:
            pre.append(index)
    texts = {i: compact(lines[i].text) for i in gap}

    def fit(indices: list[int], body: set | None) -> float:
        return sum(_overlap(texts[i], body) for i in indices)

    options: list[_Option] = []
    if not teasers:
        for k in range(len(pre) + 1):
            after, before = pre[:k], pre[k:]
            if (after and before_body is None) or (before and after_body is None):
                continue
            score = fit(after, before_body) + AFTER_BODY_BONUS * len(after) + fit(before, after_body)
            score -= BROKEN_HEADLINE_COST * _breaks_headline(texts, pre, k)
            score -= _merged_headlines(texts, after) + _merged_headlines(texts, before)
            options.append(_Option(after, [], before, score))
        return options
    # Lines before the first box belong to the article before; the last box
    # shares its lines with the article after.
    fixed = teasers[:-1]
    last = teasers[-1]
    score_fixed = fit(pre, before_body) + TEASER_LINE_SCORE * sum(len(t.titles) for t in fixed)
    first_split = 1 if last.titles else 0
    for m in range(first_split, len(last.titles) + 1):
        kept, before = last.titles[:m], last.titles[m:]
        if before and after_body is None:
            continue
        score = score_fixed + TEASER_LINE_SCORE * len(kept) + fit(before, after_body)
        score -= BROKEN_HEADLINE_COST * _breaks_headline(texts, last.titles, m)
        score -= _merged_headlines(texts, kept) + _merged_headlines(texts, before)
        options.append(_Option(pre, fixed + [Teaser(last.opener, kept)], before, score))
    if not options:  # nothing after the box to take its lines
        options.append(_Option(pre, fixed + [last], [], score_fixed))
    return options


def _best_choice(options: list[list[_Option]]) -> list[_Option]:
    """Pick one option per gap, maximising the total score (Viterbi over articles).

    The state after gap ``j`` is whether article ``j`` got a headline before its body.
    """
    scores: dict[bool, float] = {False: 0.0}
    trail: list[dict[bool, tuple[bool, int]]] = []  # per gap: state -> (previous state, option)
    for j, gap_options in enumerate(options):
        step: dict[bool, float] = {}
        back: dict[bool, tuple[bool, int]] = {}
        for has_before, score in scores.items():
            for number, option in enumerate(gap_options):
                total = score + option.score
                if has_before and option.after:
                    total -= TWO_HEADLINES_COST
                if j and not has_before and not option.after:
                    total -= NO_HEADLINE_COST  # article j - 1 gets no headline at all
                state = bool(option.before)
                if state not in step or total > step[state]:
                    step[state], back[state] = total, (has_before, number)
        scores = step
        trail.append(back)
    state = max(scores, key=scores.get)
    chosen: list[_Option] = []
    for gap_options, back in zip(reversed(options), reversed(trail)):
        state, number = back[state]
        chosen.append(gap_options[number])
    return chosen[::-1]


def _breaks_headline(texts: dict[int, str], block: list[int], k: int) -> bool:
    """Whether splitting ``block`` before position ``k`` separates parts of one headline."""
    if k <= 0 or k >= len(block):
        return False
    return texts[block[k - 1]].endswith(KICKER_ENDS) or _is_subtitle(texts[block[k]])


def _is_subtitle(text: str) -> bool:
    """A subtitle (``——…``) or a speech's dateline in brackets (``（2020年9月4日，北京）``)."""
    return text.startswith(SUBTITLE_STARTS) or is_bracketed(text)


def _merged_headlines(texts: dict[int, str], block: list[int]) -> float:
    """Cost of reading ``block`` as one headline where its lines say one ends inside it.

    A subtitle (``——…``) ends its headline; a main line mostly does when it
    ends in a column tag or follows a kicker (``…指出——``), unless a subtitle
    follows it.
    """
    cost = 0.0
    for k, (previous, line) in enumerate(zip(block, block[1:])):
        if _is_subtitle(texts[previous]):
            cost += AFTER_SUBTITLE_COST
        elif _is_subtitle(texts[line]):
            continue
        elif ends_with_column_tag(texts[previous]) or k and texts[block[k - 1]].endswith(KICKER_ENDS):
            cost += AFTER_TAG_COST
    return cost


def _overlap(text: str, body: set | None) -> float:
    """Share of a line's character bigrams that recur in a body."""
    if body is None:
        return 0.0
    grams = letter_pairs(text)
    if not grams:
        return 0.0
    return len(grams & body) / len(grams)
