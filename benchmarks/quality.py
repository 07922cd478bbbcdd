"""Search quality with known answers: zhsearch against stock Whoosh + jieba, same run.

Run::

    .venv/bin/python benchmarks/quality.py [--corpus PATH] [--articles 3000] [--queries 300] [--seed 2020[,2021,…]]
    .venv/bin/python benchmarks/quality.py --quick        # 500 articles, 50 queries per kind

The first ``--articles`` records of the corpus (default
``../shared/corpus/rmrb-2020-dev.jsonl.gz``) are indexed by both systems in
temporary folders, once with headlines and once without. Query sets, drawn
with a fixed seed from articles with a non-empty body:

* ``span`` — 8–16 consecutive hanzi/digits of a body sentence, unquoted;
  the answer is its article. Scored by MRR@10 and success@10.
* ``title`` — an article's longest headline line (at least 6 characters),
  unquoted, against the indexes built without headlines: the body alone
  must rank the article. Characters other than letters, digits and hanzi (〇 included)
  become spaces, so neither query parser sees syntax.
* ``title as printed`` — the same headline lines with their punctuation, as a
  user pastes them (记者体验春运一线（新春走基层）); only ASCII punctuation,
  which either parser may read as syntax, becomes spaces.
* ``substring`` — 2–6 consecutive hanzi of a body, quoted, every match
  asked for; the answers are all articles whose body or joined headline
  lines contain it, whitespace ignored. Scored by recall and precision,
  both as the mean over queries (precision over the queries with a hit)
  and pooled over all answers, and the number of queries with no hit.

An article printed twice (identical body) counts as the answer too. The
baseline is asked with OR grouping and with AND grouping (a quoted phrase is
the same query either way). Latency is per ``search`` call: zhsearch builds
the snippet of every hit it returns (all of them for ``substring``); the
baseline highlights its top 10 with ``hit.highlights("body")``.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from baseline import DEFAULT_CORPUS, WHOOSH_NOTE, Baseline, read_records, title_lines  # noqa: E402
from baseline import build as build_baseline  # noqa: E402
from indexer.writer import add_articles  # noqa: E402
from query import Index  # noqa: E402

HANZI_DIGIT_RUN = re.compile(r"[\u4e00-\u9fff0-9]{8,}")
HANZI_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
NOT_WORD = re.compile(r"[^0-9A-Za-z\u3007\u3400-\u9fff]+")  # 〇 (U+3007) is a hanzi numeral
ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]+")
WHITESPACE = re.compile(r"\s+")
SPAN_LENGTH = (8, 16)
SUBSTRING_LENGTH = (2, 6)
MIN_TITLE = 6
TOP = 10


@dataclass(frozen=True)
class Query:
    text: str
    answer: str  # the answer article's id (span, title) or the needle (substring)


@dataclass
class Tally:
    """Figures of one system on one kind of query."""

    reciprocal_ranks: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    relevant: int = 0
    returned: int = 0
    correct: int = 0
    empty: int = 0
    recalls: list[float] = field(default_factory=list)
    precisions: list[float] = field(default_factory=list)


def load(corpus: Path, articles: int) -> list[dict]:
    return list(read_records(corpus, articles))


def sample_runs(rng: random.Random, records: list[dict], count: int, pattern: re.Pattern,
                lengths: tuple[int, int]) -> list[Query]:
    """``count`` distinct stretches of ``lengths`` characters inside ``pattern`` runs of bodies."""
    with_body = [r for r in records if (r.get("body") or "").strip()]
    queries: dict[str, Query] = {}
    for _ in range(count * 50):
        if len(queries) >= count:
            break
        record = rng.choice(with_body)
        runs = [m.group() for m in pattern.finditer(record["body"]) if len(m.group()) >= lengths[0]]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(lengths[0], min(lengths[1], len(run)))
        start = rng.randint(0, len(run) - size)
        text = run[start:start + size]
        queries.setdefault(text, Query(text, record["id"]))
    return list(queries.values())


def span_queries(rng: random.Random, records: list[dict], count: int) -> list[Query]:
    return sample_runs(rng, records, count, HANZI_DIGIT_RUN, SPAN_LENGTH)


def substring_queries(rng: random.Random, records: list[dict], count: int) -> list[Query]:
    return [Query(q.text, q.text) for q in sample_runs(rng, records, count, HANZI_RUN, SUBSTRING_LENGTH)]


def longest_line(record: dict) -> str:
    return max(title_lines(record), key=len, default="")


def title_queries(rng: random.Random, records: list[dict], count: int) -> list[Query]:
    """Longest headline lines (as plain words) of articles with a body."""
    candidates = []
    for record in records:
        longest = longest_line(record)
        if len(longest) >= MIN_TITLE and (record.get("body") or "").strip():
            candidates.append(Query(NOT_WORD.sub(" ", longest).strip(), record["id"]))
    return rng.sample(candidates, min(count, len(candidates)))


def printed_titles(records: list[dict], queries: list[Query]) -> list[Query]:
    """The headline lines of ``queries`` (title queries) as printed, ASCII punctuation aside."""
    by_id = {r["id"]: r for r in records}
    return [Query(ASCII_PUNCTUATION.sub(" ", longest_line(by_id[q.answer])).strip(), q.answer) for q in queries]


def shared_titles(records: list[dict], queries: list[Query]) -> int:
    """How many title queries are a headline line of several articles with different bodies
    (a series' common subtitle): only one of them counts as the answer."""
    bodies: dict[str, set[str]] = {}
    for record in records:
        for line in title_lines(record):
            bodies.setdefault(NOT_WORD.sub(" ", line).strip(), set()).add(record.get("body") or "")
    return sum(len(bodies.get(query.text, ())) > 1 for query in queries)


def without_titles(records: list[dict]) -> list[dict]:
    return [{**record, "title": []} for record in records]


def rank(ids: list[str], answer_body: str, body_of: dict[str, str]) -> int | None:
    """1-based rank of the first hit whose body is the answer's body."""
    for position, article_id in enumerate(ids[:TOP], 1):
        if body_of.get(article_id) == answer_body:
            return position
    return None


def containing(records: list[dict], needle: str) -> set[str]:
    """Ids of the records whose body or joined headline holds ``needle``, whitespace ignored."""
    found = set()
    for record in records:
        texts = ("".join(title_lines(record)), record.get("body") or "")
        if any(needle in WHITESPACE.sub("", text) for text in texts):
            found.add(record["id"])
    return found


def timed(search: Callable[[str], list[str]], q: str, tally: Tally) -> list[str]:
    start = time.perf_counter()
    ids = search(q)
    tally.seconds.append(time.perf_counter() - start)
    return ids


def score_ranked(queries: list[Query], search: Callable[[str], list[str]],
                 body_of: dict[str, str]) -> Tally:
    tally = Tally()
    for query in queries:
        position = rank(timed(search, query.text, tally), body_of[query.answer], body_of)
        tally.reciprocal_ranks.append(1 / position if position else 0.0)
    return tally


def score_sets(queries: list[Query], search: Callable[[str], list[str]],
               truth: dict[str, set[str]]) -> Tally:
    tally = Tally()
    for query in queries:
        got = set(timed(search, f'"{query.text}"', tally))
        expected = truth[query.answer]
        tally.relevant += len(expected)
        tally.returned += len(got)
        tally.correct += len(got & expected)
        tally.empty += not got
        tally.recalls.append(len(got & expected) / len(expected))
        if got:
            tally.precisions.append(len(got & expected) / len(got))
    return tally


def zhsearch_search(index: Index, limit: int | None) -> Callable[[str], list[str]]:
    return lambda q: [hit.id for hit in index.search(q, limit=limit).hits]


def baseline_search(baseline: Baseline, limit: int | None) -> Callable[[str], list[str]]:
    return lambda q: baseline.search(q, limit=limit)[1]


def build_indexes(records: list[dict], folder: Path) -> dict[str, float]:
    """Build the four indexes under ``folder``; return their build seconds."""
    seconds = {}
    for name, builder, data in (
        ("zhsearch", add_articles, records),
        ("zhsearch-notitle", add_articles, without_titles(records)),
        ("baseline", build_baseline, records),
        ("baseline-notitle", build_baseline, without_titles(records)),
    ):
        print(f"building {name} …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        builder(folder / name, data)
        seconds[name] = time.perf_counter() - start
    return seconds


def milliseconds(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(kind: str, system: str, tally: Tally, queries: int) -> str:
    if tally.reciprocal_ranks:
        mrr = f"{statistics.fmean(tally.reciprocal_ranks):.3f}"
        success = f"{sum(r > 0 for r in tally.reciprocal_ranks) / queries:.3f}"
        recall = precision = empty = "–"
    else:
        mrr = success = "–"
        recall = f"{statistics.fmean(tally.recalls):.3f} / {tally.correct / tally.relevant:.3f}"
        precision = (f"{statistics.fmean(tally.precisions):.3f} / {tally.correct / tally.returned:.3f}"
                     if tally.returned else "–")
        empty = str(tally.empty)
    latency = f"{milliseconds(tally.seconds, 0.5):.1f} / {milliseconds(tally.seconds, 0.95):.1f}"
    return f"| {kind} | {system} | {mrr} | {success} | {recall} | {precision} | {empty} | {queries} | {latency} |"


def query_sets(records: list[dict], seed: int, count: int) -> dict[str, list[Query]]:
    rng = random.Random(seed)
    kinds = {"span": span_queries(rng, records, count),
             "title": title_queries(rng, records, count),
             "substring": substring_queries(rng, records, count)}
    kinds["title as printed"] = printed_titles(records, kinds["title"])
    return kinds


def ask(kinds: dict[str, list[Query]], folder: Path, body_of: dict[str, str],
        truth: dict[str, set[str]]) -> list[tuple[str, str, Tally]]:
    """(kind, system, tally) of every system on every kind, the indexes in ``folder``."""
    zh = {name: Index.open(folder / name) for name in ("zhsearch", "zhsearch-notitle")}
    base = {(name, group): Baseline(folder / name, group)
            for name in ("baseline", "baseline-notitle") for group in ("or", "and")}
    tallies = []
    for kind, index_suffix in (("span", ""), ("title", "-notitle"), ("title as printed", "-notitle")):
        print(f"asking {kind} queries …", file=sys.stderr, flush=True)
        systems = {"zhsearch": zhsearch_search(zh["zhsearch" + index_suffix], TOP),
                   "baseline OR": baseline_search(base["baseline" + index_suffix, "or"], TOP),
                   "baseline AND": baseline_search(base["baseline" + index_suffix, "and"], TOP)}
        for system, search in systems.items():
            tallies.append((kind, system, score_ranked(kinds[kind], search, body_of)))
    print("asking substring queries …", file=sys.stderr, flush=True)
    for system, search in (("zhsearch quoted", zhsearch_search(zh["zhsearch"], None)),
                           ("baseline quoted", baseline_search(base["baseline", "or"], None))):
        tallies.append(("substring", system, score_sets(kinds["substring"], search, truth)))
    for searcher in (*zh.values(), *base.values()):
        searcher.close()
    return tallies


def seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=3000, help="records from the start of the corpus")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument("--seed", type=seeds, default=[2020],
                        help="seed of the query sets; several (2020,2021,2022) add their mean MRR")
    parser.add_argument("--quick", action="store_true", help="500 articles, 50 queries per kind")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.queries = 500, 50
    if not args.corpus.exists():
        parser.error(f"no corpus at {args.corpus} (use --corpus PATH)")

    records = load(args.corpus, args.articles)
    body_of = {r["id"]: r.get("body") or "" for r in records}
    runs = {}
    with tempfile.TemporaryDirectory(prefix="zhsearch-quality-") as tmp:
        folder = Path(tmp)
        build_seconds = build_indexes(records, folder)
        for seed in args.seed:
            kinds = query_sets(records, seed, args.queries)
            truth = {q.answer: containing(records, q.answer) for q in kinds["substring"]}
            runs[seed] = (kinds, ask(kinds, folder, body_of, truth))

    megabytes = sum(len(("".join(title_lines(r)) + (r.get("body") or "")).encode()) for r in records) / 1e6
    print(f"# Search quality: {len(records)} articles ({megabytes:.1f} MB) of {args.corpus.name}")
    print(f"{WHOOSH_NOTE}.")
    print("build seconds (one process, library call): "
          + ", ".join(f"{name} {seconds:.1f}" for name, seconds in build_seconds.items()))
    for seed, (kinds, tallies) in runs.items():
        print(f"\n## seed {seed}\n")
        print("| kind | system | MRR@10 | success@10 | recall mean / pooled | precision mean / pooled "
              "| no hit | queries | p50 / p95 ms |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        print("\n".join(row(kind, system, tally, len(kinds[kind])) for kind, system, tally in tallies))
        print()
        print(f"{shared_titles(records, kinds['title'])} of the {len(kinds['title'])} title queries are a "
              "headline line of several articles with different bodies; only one of them is the answer.")
    if len(runs) > 1:
        print(f"\n## MRR@10, mean of seeds {', '.join(map(str, runs))}\n")
        print("| kind | system | MRR@10 |\n|---|---|---:|")
        means: dict[tuple[str, str], list[float]] = {}
        for _, tallies in runs.values():
            for kind, system, tally in tallies:
                if tally.reciprocal_ranks:
                    means.setdefault((kind, system), []).append(statistics.fmean(tally.reciprocal_ranks))
        for (kind, system), values in means.items():
            print(f"| {kind} | {system} | {statistics.fmean(values):.3f} |")


if __name__ == "__main__":
    main()
