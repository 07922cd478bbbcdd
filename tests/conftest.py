"""Shared fixtures: small indexes built in temporary folders."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest

from indexer.writer import add_articles
from query import Index

ROOT = Path(__file__).resolve().parents[1]
SEED_PAGE = ROOT / "corpus" / "拱墅报" / "2022-12-15" / "01.txt"
SHARED = ROOT.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "rmrb-2020-dev.jsonl.gz"

ARTICLES = [
    {"id": "a1", "paper": "拱墅报", "date": "2022-12-15", "page": 1,
     "title": ["我区与浙商银行签署战略合作协议"],
     "body": "本报讯（记者 林韬 通讯员 王凯）12月12日上午，拱墅区人民政府与浙商银行签署战略合作协议。"
             "在拱墅区委书记李志龙，区委常委、统战部部长黄飞见证下，双方签约。",
     "reporters": ["林韬"], "correspondents": ["王凯"]},
    {"id": "a2", "paper": "拱墅报", "date": "2022-12-15", "page": 1,
     "title": ["冯晶在稳进提质专题工作会上要求", "争分夺秒冲刺半个月 确保实现年度目标任务"],
     "body": "本报讯（记者 郑斌 通讯员 张志新）12月14日下午，区委副书记、区长冯晶主持召开稳进提质专题工作会。"
             "他强调，要抢抓疫情后经济社会发展全面复苏的契机。",
     "reporters": ["郑斌"]},
    {"id": "a3", "paper": "人民日报", "date": "2020-03-02", "page": 4,
     "title": "杭州亚运会场馆建设提速",
     "body": "杭州亚运会将于2023年举办。运河体育公园将承办乒乓球、霹雳舞和曲棍球赛事。\n"
             "中国杭州电竞中心是杭州亚运会电子竞技项目比赛场地，5G网络全覆盖，GDP贡献3.6万元。"},
    {"id": "a4", "paper": "人民日报", "date": "2020-03-20", "page": 2,
     "title": ["報紙數字化"],
     "body": "ＡＢＣ１２３全角文字。傳統報紙的數字化轉型正在加快。農業發展銀行提供貸款。"},
    {"id": "a5", "paper": "人民日报", "date": "2020-04-01", "page": 1,
     "title": ["无标题的短讯"],
     "body": "农业发展银行发放贷款152亿元，支持春耕生产。市委常委会议研究部署。"},
]


@pytest.fixture(scope="session")
def small_index(tmp_path_factory) -> Index:
    path = tmp_path_factory.mktemp("small") / "index"
    add_articles(path, ARTICLES)
    return Index.open(path)


def dev_slice(count: int) -> list[dict]:
    """The first ``count`` records of the shared dev corpus (skips the test without it)."""
    if not DEV_CORPUS.exists():
        pytest.skip(f"needs the shared dev corpus at {DEV_CORPUS} (not part of the repository)")
    with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, count)]


@pytest.fixture(scope="session")
def corpus_slice() -> list[dict]:
    return dev_slice(400)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, corpus_slice) -> Index:
    path = tmp_path_factory.mktemp("corpus") / "index"
    add_articles(path, corpus_slice)
    return Index.open(path)
