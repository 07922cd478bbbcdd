"""jieba-rs gives jieba 0.42.1's words; the segmenter loads lazily."""

from __future__ import annotations

import re
import subprocess
import sys

import jieba
import pytest

from indexer import segment
from indexer.analysis import HAN
from tests.conftest import dev_slice


def test_rjieba_matches_jieba_on_the_dev_corpus():
    pytest.importorskip("rjieba")
    import rjieba

    reference = jieba.Tokenizer()
    reference.tmp_dir = str(segment.cache_dir())
    runs = [run for record in dev_slice(120) for run in re.findall(f"[{HAN}]+", record["body"])]
    assert len(runs) > 5000
    for run in runs:
        assert rjieba.cut(run, hmm=False) == reference.lcut(run, HMM=False), run
        if len(run) > 2:
            assert rjieba.cut_for_search(run, hmm=False) == reference.lcut_for_search(run, HMM=False), run


def test_jieba_fallback_gives_the_same_tokens():
    code = ("from indexer.analysis import words; import indexer.segment as s;"
            "print(s.backend().name, words('拱墅区人民政府与浙商银行签署战略合作协议', mode='index'))")
    outputs = {}
    for name in ("jieba", "auto"):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env={"ZHSEARCH_SEGMENTER": name, "PATH": ""}, check=True)
        backend, tokens = result.stdout.split(" ", 1)
        outputs[backend] = tokens
        assert result.stderr == ""
    assert "jieba" in outputs and len(set(outputs.values())) == 1


def test_importing_the_cli_does_not_load_the_segmenter():
    code = "import sys, query.cli, query, indexer.writer; print('jieba' in sys.modules, 'rjieba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
