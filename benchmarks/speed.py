"""Speed of zhsearch against stock Whoosh + jieba, measured in the same run.

Run::

    .venv/bin/python benchmarks/speed.py                    # the dev corpus (22,690 articles)
    .venv/bin/python benchmarks/speed.py --quick            # 2,000 articles, 50 queries per kind
    .venv/bin/python benchmarks/speed.py --replica 10       # the corpus ten times, under new ids
    .venv/bin/python benchmarks/speed.py --index DIR        # searches only, on an index already built
    options: --corpus PATH  --articles N  --queries N  --jobs N  --skip-baseline  --skip-optimize  --seed N

The corpus (default ``../shared/corpus/rmrb-2020-dev.jsonl.gz``; its first
``--articles`` records, ``--replica`` times) is written to a temporary
``.jsonl.gz`` and indexed in temporary folders. Figures:

* build — ``zhsearch index`` (``--jobs``: its default, one writer per core)
  and ``baseline.py build`` (one process, as stock Whoosh is used) as new
  processes: wall time, CPU time (user + system of all its processes, which
  other load on the machine does not inflate), articles/s, MB/s (UTF-8 of
  headline + body), peak RSS of the largest process (``/usr/bin/time``),
  peak memory of all its processes together (PSS, read every half second),
  index size on disk; every figure is also logged to stderr when taken;
* re-index — the same command again with nothing changed, then with 1% of
  the bodies edited in the file. Stock Whoosh cannot tell what changed: its
  re-index is ``update_document`` over every record, timed once (1% edited)
  and the same for both rows;
* warm search — one open index per system, a few hundred queries per kind
  drawn with a fixed seed: 1–2 jieba words, 8–16 character unquoted spans,
  quoted 2–6 hanzi phrases, and a word filtered to its article's month and
  sorted newest first (zhsearch ``词 date:2020-03``, ``sort="-date"``; the
  baseline has no date field, so an id prefix ``rmrb-202003`` and id order
  stand in). Each call includes snippets/highlights of the top 10 (zhsearch's
  ``Index.search`` builds them; the baseline calls ``hit.highlights("body")``).
  The baseline uses OR grouping;
* cold CLI — ``zhsearch search WORD`` and ``baseline.py search WORD`` as new
  processes, and ``zhsearch --help``: median wall time of 5;
* optimize — ``zhsearch optimize`` after the re-index runs (time, peak RSS,
  index size), then the warm searches again on the one-segment index.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from baseline import DEFAULT_CORPUS, WHOOSH_NOTE, Baseline, read_records, title_lines  # noqa: E402
from quality import milliseconds, span_queries, substring_queries  # noqa: E402
from query import Index  # noqa: E402

BASELINE_SCRIPT = Path(__file__).resolve().with_name("baseline.py")
TIME = Path("/usr/bin/time")
HANZI_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
MONTH_ID = re.compile(r"\D*\d{6}")
EDITED_SHARE = 0.01
EDIT = "（本报更正）"
COLD_RUNS = 5
#: Seconds between two readings of a command's memory.
PSS_EVERY = 0.5
WARMUP = 10
TOP = 10


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float | None
    rss_mb: float | None
    #: Peak memory of all the command's processes together (PSS), MB.
    pss_mb: float | None
    stdout: str


@dataclass(frozen=True)
class Figure:
    name: str
    zhsearch: float | None
    baseline: float | None
    unit: str
    higher_is_better: bool = False


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def record(figures: list[Figure], new: list[Figure]) -> None:
    """Add ``new`` to ``figures`` and log them, so a long run shows results as it goes."""
    figures.extend(new)
    for figure in new:
        log(f"  {figure.name}: zhsearch {cell(figure.zhsearch, figure.unit)}, "
            f"baseline {cell(figure.baseline, figure.unit)}")


def zhsearch_command() -> str:
    local = Path(sys.executable).with_name("zhsearch")
    return str(local) if local.exists() else shutil.which("zhsearch") or "zhsearch"


def run(command: list[str]) -> Run:
    """Run ``command``: its wall time and, with ``/usr/bin/time``, its CPU time (user +
    system, children included) and its largest process's peak RSS; on Linux
    also the peak memory of all its processes together (``_tree_pss``)."""
    with tempfile.NamedTemporaryFile("r") as usage, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        prefix = [str(TIME), "-f", "%U %S %M", "-o", usage.name] if TIME.exists() else []
        start = time.perf_counter()
        process = subprocess.Popen(prefix + command, stdout=out, stderr=err, text=True)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, _tree_pss(process.pid))
            try:  # returns as soon as the command ends: a sleep would round its time up
                process.wait(timeout=PSS_EVERY)
            except subprocess.TimeoutExpired:
                pass
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout = out.read()
        if process.returncode:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err.read()[-2000:]}")
        lines = usage.read().strip().splitlines()
    if not lines:
        return Run(seconds, None, None, peak or None, stdout)
    user, system, kilobytes = lines[-1].split()
    return Run(seconds, float(user) + float(system), int(kilobytes) / 1024, peak or None, stdout)


def _tree_pss(pid: int) -> float:
    """MB of memory held by process ``pid`` and its descendants, each page
    shared by n processes counted 1/n (Linux's PSS; 0 elsewhere). RSS summed
    over processes would count pages a worker shares with the parent it was
    forked from once per process."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def write_corpus(source: Path, target: Path, articles: int | None, replica: int,
                 edited: set[int] = frozenset()) -> tuple[int, float]:
    """Stream ``replica`` copies of the first ``articles`` records to ``target``.

    Copy k > 0 gets ids ending ``-rK``; records numbered in ``edited`` get
    their body changed. Returns the number of records and their MB of text.
    """
    count, size = 0, 0
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as out:
        for copy in range(replica):
            for record in read_records(source, articles):
                if copy:
                    record["id"] = f"{record['id']}-r{copy}"
                if count in edited:
                    record["body"] = (record.get("body") or "") + EDIT
                size += len(("".join(title_lines(record)) + (record.get("body") or "")).encode())
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count, size / 1e6


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def word_queries(rng: random.Random, records: list[dict], count: int) -> list[tuple[str, dict]]:
    """``count`` queries of 1–2 jieba words (hanzi, 2+ characters) from one article, with it."""
    with_body = [r for r in records if (r.get("body") or "").strip()]
    queries = []
    while len(queries) < count:
        record = rng.choice(with_body)
        words = sorted({w for run in HANZI_RUN.findall(record["body"]) for w in jieba.lcut(run) if len(w) >= 2})
        if len(words) >= 2:
            queries.append((" ".join(rng.sample(words, rng.randint(1, 2))), record))
    return queries


def same(text: str) -> dict:
    """A query both systems are asked as is."""
    return {"zhsearch": {"q": text}, "baseline": {"q": text}}


def draw_queries(rng: random.Random, records: list[dict], count: int) -> dict[str, list[dict]]:
    """Per kind, queries as keyword arguments of a zhsearch and a baseline search."""
    words = word_queries(rng, records, count)
    filtered = []
    for q, record in word_queries(rng, [r for r in records if r.get("date")], count):
        word = q.split()[0]
        month = MONTH_ID.match(record["id"])
        filtered.append({"zhsearch": {"q": f"{word} date:{record['date'][:7]}", "sort": "-date"},
                         "baseline": {"q": word, "id_prefix": month.group() if month else record["id"],
                                      "sort_by_id": True}})
    return {
        "1–2 words": [same(q) for q, _ in words],
        "8–16 char span": [same(q.text) for q in span_queries(rng, records, count)],
        "quoted phrase": [same(f'"{q.text}"') for q in substring_queries(rng, records, count)],
        "word + month, newest first": filtered,
    }


def latencies(search, queries: list[dict]) -> tuple[float, float]:
    """Median and p95 milliseconds of ``search(**query)`` after a few unmeasured calls."""
    for query in queries[:WARMUP]:
        search(**query)
    seconds = []
    for query in queries:
        start = time.perf_counter()
        search(**query)
        seconds.append(time.perf_counter() - start)
    return milliseconds(seconds, 0.5), milliseconds(seconds, 0.95)


def cold(command: list[str]) -> float:
    return statistics.median(run(command).seconds for _ in range(COLD_RUNS))


def segment_count(index: Path) -> int:
    from whoosh import index as whoosh_index

    return len(whoosh_index.open_dir(str(index))._segments())


def index_summary(output: str) -> str:
    summary = json.loads(output.strip().splitlines()[-1])
    return ", ".join(f"{summary[key]} {key}" for key in ("added", "updated", "unchanged", "deleted"))


def searched(figures: list[Figure], notes: list[str], kinds: dict, seed: int, zh_index: Path,
             base_index: Path | None) -> None:
    """Warm searches of each kind on ``zh_index`` (and the baseline's, if
    given), then the cold command lines: figures and notes added."""
    log("warm searches")
    zh = Index.open(zh_index)
    base = Baseline(base_index) if base_index else None
    for kind, queries in kinds.items():
        log(f"  {kind}")
        zh_p50, zh_p95 = latencies(lambda **kw: zh.search(limit=TOP, **kw), [q["zhsearch"] for q in queries])
        base_p50 = base_p95 = None
        if base:
            base_p50, base_p95 = latencies(lambda **kw: base.search(limit=TOP, highlight=TOP, **kw),
                                           [q["baseline"] for q in queries])
        record(figures, [Figure(f"{kind} p50", zh_p50, base_p50, "ms"),
                         Figure(f"{kind} p95", zh_p95, base_p95, "ms")])
    notes.append(f"{len(kinds['1–2 words'])} queries per kind, seed {seed}; "
                 f"e.g. {kinds['word + month, newest first'][0]['zhsearch']['q']}")
    zh.close()
    if base:
        base.close()

    log("cold command lines")
    word = kinds["1–2 words"][0]["zhsearch"]["q"].split()[0]
    record(figures, [
        Figure(f"cold search {word}", cold([zhsearch_command(), "search", word, "--index", str(zh_index)]),
               cold([sys.executable, str(BASELINE_SCRIPT), "search", word, "--index", str(base_index)])
               if base_index else None, "s"),
        Figure("cold zhsearch --help", cold([zhsearch_command(), "--help"]), None, "s"),
    ])


def measure(args: argparse.Namespace, folder: Path) -> tuple[list[Figure], list[str]]:
    corpus = folder / "corpus.jsonl.gz"
    zh_index, base_index = folder / "zhsearch", folder / "baseline"
    baseline = not args.skip_baseline
    figures, notes = [], []
    zh_index_cmd = [zhsearch_command(), "index", str(corpus), "--index", str(zh_index), "--json"]
    if args.jobs:
        zh_index_cmd += ["--jobs", str(args.jobs)]
    base_build_cmd = [sys.executable, str(BASELINE_SCRIPT), "build", str(corpus), "--index", str(base_index)]

    log("writing the corpus")
    count, megabytes = write_corpus(args.corpus, corpus, args.articles, args.replica)
    notes.append(f"{count} articles, {megabytes:.1f} MB of headline + body text "
                 f"({args.corpus.name}, first {args.articles or 'all'} records x {args.replica})")
    log(f"zhsearch index ({count} articles)")
    zh_build = run(zh_index_cmd)
    notes.append(f"zhsearch index: {index_summary(zh_build.stdout)}; {segment_count(zh_index)} segments")
    log("zhsearch index, nothing changed")
    zh_same = run(zh_index_cmd)
    notes.append(f"zhsearch re-index, nothing changed: {index_summary(zh_same.stdout)}")
    base_build = None
    if baseline:
        log("baseline build")
        base_build = run(base_build_cmd)

    def pair(value):
        return value(zh_build), value(base_build) if base_build else None

    record(figures, [
        Figure("build time", *pair(lambda r: r.seconds), "s"),
        Figure("build CPU time", *pair(lambda r: r.cpu_seconds), "s"),
        Figure("articles/s", *pair(lambda r: count / r.seconds), "", True),
        Figure("MB/s", *pair(lambda r: megabytes / r.seconds), "", True),
        Figure("peak RSS", *pair(lambda r: r.rss_mb), "MB"),
        Figure("peak memory, all processes (PSS)", *pair(lambda r: r.pss_mb), "MB"),
        Figure("index size", folder_mb(zh_index), folder_mb(base_index) if baseline else None, "MB"),
    ])

    kinds = draw_queries(random.Random(args.seed), list(read_records(args.corpus, args.articles)), args.queries)
    searched(figures, notes, kinds, args.seed, zh_index, base_index if baseline else None)

    log("editing 1% of the bodies")
    edited = set(random.Random(args.seed).sample(range(count), max(1, round(count * EDITED_SHARE))))
    write_corpus(args.corpus, corpus, args.articles, args.replica, edited)
    log("zhsearch re-index, 1% edited")
    zh_edit = run(zh_index_cmd)
    notes.append(f"zhsearch re-index, {len(edited)} bodies edited: {index_summary(zh_edit.stdout)}")
    base_edit = None
    if baseline:
        log("baseline re-index (update_document for every record)")
        base_edit = run(base_build_cmd + ["--update"])
    base_reindex = base_edit.seconds if base_edit else None
    record(figures, [Figure("re-index, nothing changed", zh_same.seconds, base_reindex, "s"),
                     Figure("re-index, 1% edited", zh_edit.seconds, base_reindex, "s")])

    if args.skip_optimize:
        return figures, notes
    log("zhsearch optimize")
    optimized = run([zhsearch_command(), "optimize", "--index", str(zh_index)])
    notes.append(f"zhsearch optimize: {optimized.stdout.strip()}")
    record(figures, [Figure("optimize time", optimized.seconds, None, "s"),
                     Figure("optimize peak RSS", optimized.rss_mb, None, "MB"),
                     Figure("optimize peak memory (PSS)", optimized.pss_mb, None, "MB"),
                     Figure("index size, optimized", folder_mb(zh_index), None, "MB")])
    log("warm searches, optimized index")
    zh = Index.open(zh_index)
    for kind, queries in kinds.items():
        p50, p95 = latencies(lambda **kw: zh.search(limit=TOP, **kw), [q["zhsearch"] for q in queries])
        record(figures, [Figure(f"{kind} p50, optimized", p50, None, "ms"),
                         Figure(f"{kind} p95, optimized", p95, None, "ms")])
    zh.close()
    return figures, notes


def cell(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def ratio(figure: Figure) -> str:
    """``zhsearch / baseline`` and which side is better."""
    if figure.zhsearch is None or not figure.baseline:
        return "–"
    times = figure.zhsearch / figure.baseline
    better = (times > 1) == figure.higher_is_better
    factor = times if times >= 1 else 1 / times
    return f"{times:.2f} (zhsearch {factor:.1f}x {'better' if better else 'worse'})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, help="records from the start of the corpus (default: all)")
    parser.add_argument("--replica", type=int, default=1, help="copies of the corpus, under new ids")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument("--jobs", type=int, help="zhsearch index --jobs (default: its own, one per core)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-optimize", action="store_true",
                        help="leave out zhsearch optimize and the searches after it")
    parser.add_argument("--quick", action="store_true", help="2,000 articles, 50 queries per kind")
    parser.add_argument("--index", type=Path,
                        help="time searches only (warm, then cold command lines) on this existing zhsearch "
                             "index, with queries drawn from --corpus")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.queries = 2000, 50
    if not args.corpus.exists():
        parser.error(f"no corpus at {args.corpus} (use --corpus PATH)")

    if args.index:
        if not (args.index / "zhsearch.json").exists():
            parser.error(f"no zhsearch index at {args.index}")
        figures, notes = [], [f"searches only, on the index at {args.index}"]
        kinds = draw_queries(random.Random(args.seed), list(read_records(args.corpus, args.articles)), args.queries)
        searched(figures, notes, kinds, args.seed, args.index, None)
    else:
        with tempfile.TemporaryDirectory(prefix="zhsearch-speed-") as tmp:
            figures, notes = measure(args, Path(tmp))
    print("# Speed: zhsearch vs stock Whoosh + jieba")
    print(f"{WHOOSH_NOTE}.")
    for note in notes:
        print(f"- {note}")
    print()
    print("| figure | zhsearch | baseline | zhsearch / baseline |")
    print("|---|---:|---:|---|")
    for figure in figures:
        print(f"| {figure.name} | {cell(figure.zhsearch, figure.unit)} | "
              f"{cell(figure.baseline, figure.unit)} | {ratio(figure)} |")


if __name__ == "__main__":
    main()
