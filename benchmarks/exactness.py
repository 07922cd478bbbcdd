"""Quoted queries against brute-force substring search: recall and precision.

Run::

    .venv/bin/python benchmarks/exactness.py [--articles 3000] [--strings 500] [--index DIR]

Indexes the first ``--articles`` records of the dev corpus in a temporary
folder (or uses ``--index DIR``, an index built from those same records),
draws ``--strings`` random strings of 1–6 non-space characters from the
headlines and bodies (fixed seed), asks each quoted with ``limit=None``, and
compares the ids with every article whose headline or body holds the string,
whitespace ignored. Prints recall and precision (mean over strings, and
pooled) and every string that missed.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.writer import add_articles  # noqa: E402
from query import Index  # noqa: E402

DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "rmrb-2020-dev.jsonl.gz"
SPACE = re.compile(r"\s+")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--strings", type=int, default=500)
    parser.add_argument("--index", type=Path, help="an index already built from the same records")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)

    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in itertools.islice(handle, args.articles)]
    texts = {r["id"]: (SPACE.sub("", "".join(r["title"])), SPACE.sub("", r["body"])) for r in records}
    with tempfile.TemporaryDirectory() as folder:
        path = args.index
        if path is None:
            path = Path(folder) / "index"
            started = time.perf_counter()
            add_articles(path, records)
            print(f"indexed {len(records)} articles in {time.perf_counter() - started:.0f} s")
        index = Index.open(path)
        rng = random.Random(args.seed)
        pool = [t for pair in texts.values() for t in pair if len(t) > 6]
        recalls, precisions, found_total, expected_total, hit_total, misses = [], [], 0, 0, 0, []
        while len(recalls) < args.strings:
            text = rng.choice(pool)
            size = rng.randint(1, 6)
            start = rng.randrange(len(text) - size + 1)
            needle = text[start:start + size]
            if '"' in needle:
                continue
            expected = {i for i, (t, b) in texts.items() if needle in t or needle in b}
            found = {hit.id for hit in index.search(f'"{needle}"', limit=None).hits}
            right = len(found & expected)
            recalls.append(right / len(expected))
            precisions.append(right / len(found) if found else 0.0)
            found_total, expected_total, hit_total = found_total + len(found), expected_total + len(expected), hit_total + right
            if found != expected:
                misses.append((needle, len(expected), len(found), right))
    print(f"{len(recalls)} quoted strings of 1–6 characters over {len(records)} articles")
    print(f"recall    mean {sum(recalls) / len(recalls):.4f}  pooled {hit_total / expected_total:.4f}")
    print(f"precision mean {sum(precisions) / len(precisions):.4f}  pooled {hit_total / max(found_total, 1):.4f}")
    for needle, expected, found, right in misses:
        print(f"  miss {needle!r}: expected {expected}, found {found}, right {right}")


if __name__ == "__main__":
    main()
