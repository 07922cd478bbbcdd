"""Fit the weights of ``query.rerank.WEIGHTS`` on dev articles quality.py does not ask about.

Run::

    .venv/bin/python benchmarks/rerank_fit.py [--corpus PATH] [--skip 3000] [--blocks 4] [--block 3000]

Blocks of ``--block`` articles after the first ``--skip`` (those
``benchmarks/quality.py`` measures on) are indexed without their headlines,
each alone; each is asked ``--titles`` title queries and ``--spans`` span
queries drawn as quality.py draws them. For every query asked as a pasted
text, the evidence (``query.rerank.evidence``) of its best ``DEPTH`` hits is
read, and a linear scorer over the hit's score (a share of the best) and
its evidence is fitted to put the answer first: softmax over each query's
hits, its answer's probability maximised (ListNet with one answer), by
gradient descent on standardised features. The weights are printed in
units of the best score, with the MRR@10 of these queries under the fitted
and the current weights.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import quality  # noqa: E402
from baseline import DEFAULT_CORPUS  # noqa: E402
from indexer.writer import add_articles  # noqa: E402
import query.index  # noqa: E402
from query import Index  # noqa: E402
from query.rerank import DEPTH, WEIGHTS, Evidence, evidence  # noqa: E402

STEPS, RATE, L2 = 2000, 1.0, 1e-3
SECOND_LOOK = query.index.reranked


def asked(index: Index, queries: list[quality.Query], body_of: dict[str, str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per pasted-text query: features (score share, then evidence) of its
    best hits before the second look, and which of them are the answer."""
    seen = []

    def capture(top, bodies, text, weights):
        best = top[0][0] if top else 1.0
        rows = [[score / best, *evidence(bodies(number), text, weights)] for score, number in top[:DEPTH]]
        seen.append((rows, [number for _, number in top[:DEPTH]]))
        return top

    searcher = index._searcher()
    found = []
    query.index.reranked = capture
    try:
        for q in queries:
            seen.clear()
            index.search(q.text, limit=DEPTH)
            if not seen or not seen[-1][0]:
                continue
            rows, numbers = seen[-1]
            answer = body_of[q.answer]
            labels = [searcher.stored_fields(n).get("body", "") == answer for n in numbers]
            found.append((np.array(rows), np.array(labels, dtype=float)))
    finally:
        query.index.reranked = SECOND_LOOK
    return found


def fit(data: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Linear weights (raw feature units) maximising the answers' softmax probability."""
    data = [(x, y) for x, y in data if y.any()]
    stacked = np.vstack([x for x, _ in data])
    mean, spread = stacked.mean(0), stacked.std(0) + 1e-9
    n, width = len(data), stacked.shape[1]
    features = np.zeros((n, DEPTH, width))
    target = np.zeros((n, DEPTH))
    present = np.zeros((n, DEPTH), bool)
    for k, (x, y) in enumerate(data):
        features[k, :len(y)] = (x - mean) / spread
        target[k, :len(y)] = y / y.sum()
        present[k, :len(y)] = True
    weights = np.zeros(width)
    for _ in range(STEPS):
        logits = np.where(present, features @ weights, -np.inf)
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        weights -= RATE * (np.einsum("nkf,nk->f", features, p - target) / n + L2 * weights)
    return weights / spread


def mrr(data: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray) -> float:
    total = 0.0
    for x, y in data:
        order = np.lexsort((np.arange(len(y)), -(x @ weights)))[:quality.TOP]
        hits = np.nonzero(y[order])[0]
        total += 1 / (hits[0] + 1) if len(hits) else 0.0
    return total / len(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip", type=int, default=3000, help="articles left for quality.py")
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--block", type=int, default=3000, help="articles per block")
    parser.add_argument("--titles", type=int, default=1000, help="title queries per block")
    parser.add_argument("--spans", type=int, default=300, help="span queries per block")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        parser.error(f"no corpus at {args.corpus} (use --corpus PATH)")
    records = quality.load(args.corpus, args.skip + args.blocks * args.block)[args.skip:]
    rng = random.Random(args.seed)
    data = {"title": [], "span": []}
    with tempfile.TemporaryDirectory(prefix="zhsearch-rerank-") as tmp:
        for start in range(0, len(records), args.block):
            block = records[start:start + args.block]
            print(f"block {args.skip + start}: indexing {len(block)} articles …", file=sys.stderr, flush=True)
            folder = Path(tmp) / str(start)
            add_articles(folder, quality.without_titles(block))
            body_of = {r["id"]: r.get("body") or "" for r in block}
            index = Index.open(folder)
            data["title"] += asked(index, quality.title_queries(rng, block, args.titles), body_of)
            data["span"] += asked(index, quality.span_queries(rng, block, args.spans), body_of)
            index.close()
    fitted = fit(data["title"] + data["span"])
    fitted /= fitted[0]
    current = np.array([1.0, *WEIGHTS])
    print("weights, in units of the best score:")
    print("    WEIGHTS = Evidence(" + ", ".join(f"{name}={w:.2f}" for name, w in zip(Evidence._fields, fitted[1:])) + ")")
    for kind, found in data.items():
        print(f"{kind}: {len(found)} pasted queries; MRR@10 over the best {DEPTH}: "
              f"fitted {mrr(found, fitted):.4f}, current {mrr(found, current):.4f}, "
              f"first pass {mrr(found, np.eye(len(current))[0]):.4f}")


if __name__ == "__main__":
    main()
