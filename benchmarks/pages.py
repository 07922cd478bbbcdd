"""Measure the page parser against hand-checked gold pages.

A gold folder holds ``NNNN.txt`` (page text) and ``NNNN.gold.json``
(``{"date", "page", "records": [{"kind", "title", "body", "continued_to",
"see_page"}, …]}``, records in page order).  Run::

    .venv/bin/python benchmarks/pages.py [FOLDER] [--show N]

FOLDER defaults to ``../shared/pages-dev`` next to the project.  Figures:

* body exact — gold articles whose body a predicted article reproduces
  exactly, whitespace ignored;
* headline — gold articles whose matched prediction has exactly the gold
  headline lines (runs of whitespace compared as one space);
* continued_to — matched gold articles with the right jump page;
* teasers found — gold teasers predicted with the same page and headline;
* conserved — pages whose records keep every non-whitespace character.

Gold articles are matched to predictions by equal body, then by the largest
share of shared character bigrams.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.pages import PageRecord, conserved, parse_page  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "pages-dev"
#: A gold article counts as matched (for continued_to) above this bigram overlap.
MIN_MATCH_OVERLAP = 0.5


@dataclass
class Score:
    """Counts over a set of pages; rates are derived."""

    pages: int = 0
    conserved_pages: int = 0
    articles: int = 0
    body_exact: int = 0
    title_exact: int = 0
    matched: int = 0
    continued_right: int = 0
    teasers: int = 0
    teasers_found: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("pages", "conserved_pages", "articles", "body_exact", "title_exact", "matched",
                     "continued_right", "teasers", "teasers_found", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures

    def rates(self) -> dict[str, float]:
        def rate(part: int, whole: int) -> float:
            return part / whole if whole else 1.0

        return {
            "body_exact": rate(self.body_exact, self.articles),
            "headline_exact": rate(self.title_exact, self.articles),
            "continued_to": rate(self.continued_right, self.matched),
            "teasers_found": rate(self.teasers_found, self.teasers),
            "conserved": rate(self.conserved_pages, self.pages),
        }


def squash(text: str) -> str:
    """Text without whitespace."""
    return "".join(text.split())


def title_key(lines: list[str]) -> list[str]:
    """Headline lines with each run of whitespace as one space."""
    return [" ".join(line.split()) for line in lines]


def score_page(text: str, gold: dict, name: str = "") -> Score:
    """Score one page's predictions against its gold records."""
    score = Score(pages=1)
    issue = _issue_date(gold.get("date"))
    started = time.perf_counter()
    predicted = parse_page(text, issue_date=issue)
    score.seconds = time.perf_counter() - started
    score.conserved_pages = int(conserved(text, predicted))
    gold_articles = [r for r in gold["records"] if r["kind"] == "article"]
    gold_teasers = [r for r in gold["records"] if r["kind"] == "teaser"]
    pred_articles = [r for r in predicted if r.kind == "article"]
    pred_teasers = [r for r in predicted if r.kind == "teaser"]
    score.articles = len(gold_articles)
    for gold_record, match, exact in match_articles(gold_articles, pred_articles):
        score.body_exact += exact
        if match is None:
            score.failures.append((name, f"unmatched body: {gold_record['body'][:40]!r}"))
            continue
        if not exact:
            score.failures.append((name, f"body differs: {gold_record['body'][:30]!r} / {match.body[:30]!r}"))
        score.matched += 1
        if title_key(match.title) == title_key(gold_record["title"]):
            score.title_exact += 1
        else:
            score.failures.append((name, f"title {gold_record['title']} -> {match.title}"))
        if match.continued_to == gold_record.get("continued_to"):
            score.continued_right += 1
        else:
            score.failures.append((name, f"continued_to {gold_record.get('continued_to')} -> {match.continued_to}"))
    score.teasers = len(gold_teasers)
    unused = list(pred_teasers)
    for teaser in gold_teasers:
        hit = next((p for p in unused if p.see_page == teaser["see_page"]
                    and title_key(p.title) == title_key(teaser["title"])), None)
        if hit is None:
            score.failures.append((name, f"teaser {teaser['see_page']} {teaser['title']} missing"))
            continue
        unused.remove(hit)
        score.teasers_found += 1
    return score


def match_articles(gold: list[dict], predicted: list[PageRecord]):
    """Yield ``(gold record, matched prediction or None, body exact)`` for each gold article."""
    free = list(predicted)
    by_body: dict[str, list[PageRecord]] = {}
    for record in free:
        by_body.setdefault(squash(record.body), []).append(record)
    pending = []
    for record in gold:
        same = by_body.get(squash(record["body"]))
        if same:
            match = same.pop(0)
            free.remove(match)
            yield record, match, True
        else:
            pending.append(record)
    for record in pending:
        grams = _bigrams(squash(record["body"]))
        best, best_overlap = None, MIN_MATCH_OVERLAP
        for candidate in free:
            overlap = _overlap(grams, _bigrams(squash(candidate.body)))
            if overlap > best_overlap:
                best, best_overlap = candidate, overlap
        if best is not None:
            free.remove(best)
        yield record, best, False


def score_folder(folder: Path) -> Score:
    """Score every ``NNNN.txt`` with a ``NNNN.gold.json`` in ``folder``."""
    total = Score()
    for text_path in sorted(folder.glob("*.txt")):
        gold_path = text_path.with_suffix(".gold.json")
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = text_path.read_text(encoding="utf-8")
        total.add(score_page(text, gold, text_path.stem))
    return total


def _bigrams(text: str) -> Counter:
    return Counter(a + b for a, b in zip(text, text[1:]))


def _overlap(gold: Counter, other: Counter) -> float:
    if not gold or not other:
        return 0.0
    shared = sum((gold & other).values())
    return shared / max(sum(gold.values()), sum(other.values()))


def _issue_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--show", type=int, default=0, help="print this many failures")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no gold folder at {args.folder}", file=sys.stderr)
        return 2
    score = score_folder(args.folder)
    print(f"{score.pages} pages, {score.articles} gold articles, {score.teasers} gold teasers, "
          f"parse time {score.seconds:.2f} s")
    for name, value in score.rates().items():
        print(f"{name:15} {value:7.2%}")
    for page, failure in score.failures[:args.show]:
        print(page, failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
