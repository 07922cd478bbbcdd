"""BM25F with length tables scores exactly as Whoosh's BM25F."""

from __future__ import annotations

from whoosh import scoring

from indexer.writer import add_articles
from query import Index
from query.index import BM25_B, BM25_K1


def test_same_scores_as_whooshs_bm25f(tmp_path):
    bodies = ["杭州亚运会开幕" * n + "西湖" for n in range(1, 30)] + ["西湖龙井茶", "亚运会"]
    for start in range(0, len(bodies), 10):  # several segments
        add_articles(tmp_path / "ix", [{"id": f"a{n}", "title": ["杭州"] if n % 3 else [], "body": body}
                                       for n, body in enumerate(bodies) if start <= n < start + 10])
    index = Index.open(tmp_path / "ix")
    queries = ["亚运会", "杭州 西湖", "西湖", '"亚运会开幕"', "title:杭州"]
    ours = {q: [(hit.id, hit.score) for hit in index.search(q, limit=None).hits] for q in queries}
    index._local.searcher = index._ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
    whooshs = {q: [(hit.id, hit.score) for hit in index.search(q, limit=None).hits] for q in queries}
    assert ours == whooshs and all(ours.values())
    assert len({score for _, score in ours["亚运会"]}) > 5  # lengths tell the articles apart
