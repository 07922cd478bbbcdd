"""Tests for indexer.pages: the seed page by hand, properties, and the dev-page figures."""

from __future__ import annotations

import datetime
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.pages import PageRecord, clean_text, clean_title, conserved, page_meta_from_path, parse_page

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "拱墅报" / "2022-12-15" / "01.txt"
DEV_PAGES = ROOT.parent / "shared" / "pages-dev"


def _benchmark():
    """benchmarks/pages.py, loaded by path (benchmarks is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmark_pages", ROOT / "benchmarks" / "pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed_records() -> list[PageRecord]:
    return parse_page(SEED.read_text(encoding="utf-8"), issue_date=datetime.date(2022, 12, 15))


# --- the seed page, written out by hand -------------------------------------------

SEED_EXPECTED = [
    # kind, title, body start, body end, continued_to, see_page
    ("article", ["我区与浙商银行签署战略合作协议"],
     "本报讯（记者林韬通讯员王凯）12月12日上午，拱墅区人民政府与浙商银行签署战略合作协议。",
     "为拱墅高质量发展贡献更大力量。", None, None),
    ("article", ["冯晶在稳进提质专题工作会上要求", "争分夺秒冲刺半个月 确保实现年度目标任务"],
     "本报讯（记者郑斌通讯员张志新）12月14日下午，区委副书记、区长冯晶",
     "要精心组织年终系列促消费活动，促进消费持续恢复。", 2, None),
    ("article", ["设置4条跑道 贯通6个层级 包含9大模块", "拱墅区基层智治综合应用正式上线"],
     "本报讯（记者林韬通讯员王凯）为深入贯彻全省“县乡一体、条抓块统”",
     "始终坚持问题导向和实效", 2, None),
    ("article", [],
     "本报讯（记者林韬通讯员王凯）12月13日上午，市委常委、余杭区委书记刘颖",
     "为奋力推进“两个先行”的杭州实践贡献更大力量。", None, None),
    ("article", ["李志龙在区委人才工作领导小组第二次会议上强调", "推进领军人才补短增效 让拱墅成为人才向往之地圆梦之区"],
     "本报讯（记者林韬通讯员王凯）12月9日下午，拱墅区委人才工作领导小组召开第二次会议，",
     "为“三城五区”建设提供坚强的人才支撑。", None, None),
    ("teaser", ["李志龙接受省市主流媒体“学习宣传贯彻党的二十大精神·奔赴新征程”专访",
                "以大运河文化为牵引", "打造江南韵、国际范的时尚之都"], "", "", None, 2),
    ("article", ["探索创新突破难点 走出城市基层治理新路径", "我区召开现代社区建设暨高质量推进党组织领导三方协同小区微治理会议"],
     "本报讯（记者林韬通讯员王凯）12月13日下午，我区召开现代社区建设",
     "形成全区上下真抓实干的工作氛围，", 2, None),
    ("article", ["喜看拱墅新变化", "区人大代表开展会前视察"],
     "本报讯（记者林韬）12月14日上午，区人大常委会组织区人大代表开展",
     "积极为拱墅高水平打造“时尚之都、数字新城、运河明珠”贡献智慧力量。", None, None),
]


def test_seed_page_has_seven_articles_and_one_teaser(seed_records):
    assert [r.kind for r in seed_records] == [row[0] for row in SEED_EXPECTED]


@pytest.mark.parametrize("position", range(len(SEED_EXPECTED)))
def test_seed_page_record(seed_records, position):
    kind, title, start, end, continued_to, see_page = SEED_EXPECTED[position]
    record = seed_records[position]
    assert record.title == title
    assert record.body.startswith(start)
    assert record.body.endswith(end)
    assert record.continued_to == continued_to
    assert record.see_page == see_page


def test_seed_page_metadata(seed_records):
    first = seed_records[0]
    assert (first.agency, first.reporters, first.correspondents) == ("本报", ["林韬"], ["王凯"])
    assert first.dateline == "12月12日上午"
    assert first.date == datetime.date(2022, 12, 12)
    second = seed_records[1]
    assert (second.reporters, second.correspondents) == (["郑斌"], ["张志新"])
    assert second.markers == ["（下转2版）"]
    assert seed_records[-1].reporters == ["林韬"] and seed_records[-1].correspondents == []
    assert seed_records[5].markers == ["详见 版2"]


def test_seed_page_cleans_stray_spaces_and_keeps_paragraphs(seed_records):
    first = seed_records[0].body
    assert "周伟新等的共同见证下" in first
    assert "谋划发展布局" in first
    assert first.count("\n") == 3  # four paragraphs
    assert "杭州亚运会将于2023年举办" in seed_records[-1].body


def test_seed_page_line_ranges(seed_records):
    assert seed_records[0].lines == [(1, 105)]
    assert seed_records[5].lines == [(530, 535)]


def test_seed_page_conserves_every_character(seed_records):
    assert conserved(SEED.read_text(encoding="utf-8"), seed_records)


# --- smaller behaviours -------------------------------------------------------------


def test_clean_text_joins_lines_and_drops_justifier_spaces():
    assert clean_text(["周伟 新等的共同见证 下，副区长", "余荣升"]) == "周伟新等的共同见证下，副区长余荣升"
    assert clean_text(["杭 州亚 运 会 将于2 0 2 3 年 举"]) == "杭州亚运会将于2023年举"
    assert clean_text(["iPhone 12 and Blue", "tooth"]) == "iPhone 12 and Bluetooth"
    assert clean_text(["本报北京7月14日电\u00a0\u00a0（记者"]) == "本报北京7月14日电\u00a0\u00a0（记者"


def test_clean_title_shows_a_headline_gap_as_one_space():
    assert clean_title("争分夺秒冲刺半个月  确保实现年度目标任务 ") == "争分夺秒冲刺半个月 确保实现年度目标任务"


def test_wire_bylines_and_dates():
    text = "\n\n".join([
        "新华社北京12月31日电（记者邹伟、王思北）国务院",
        "日前印发通知，部署有关工作。",
    ])
    [record] = parse_page(text, issue_date=datetime.date(2023, 1, 2))
    assert (record.agency, record.place, record.dateline) == ("新华社", "北京", "12月31日")
    assert record.reporters == ["邹伟", "王思北"]
    assert record.date == datetime.date(2022, 12, 31)  # December dateline, January issue
    [record] = parse_page("本报北京1月7日电 （记者王伟健）记者获悉，会议召开。")
    assert (record.place, record.reporters, record.date) == ("北京", ["王伟健"], None)


def test_jump_markers_split_over_lines():
    text = "（上接1版）会议强调，要抓好落实，确保\n\n各项任务完成。（下\n\n转3版）"
    [record] = parse_page(text)
    assert (record.continued_from, record.continued_to) == (1, 3)
    assert record.markers == ["（上接1版）", "（下转3版）"]
    assert record.body == "会议强调，要抓好落实，确保各项任务完成。"


def test_staff_line_inside_an_article_does_not_split_it():
    from indexer.bylines import is_staff_line
    assert is_staff_line("本报记者  汪志球") and is_staff_line("记者 林韬、郑斌")
    assert not is_staff_line("本报记者在首尔市一处公园看") and not is_staff_line("记者手记")
    text = "\n\n".join([
        "会议强调，要抓好落实，确保各项", "任务完成，推动工作取得新成效。",
        "本报记者  汪志球", "村里的工作一件接着一件，大家", "心里都有底。",
    ])
    [record] = parse_page(text)
    assert "本报记者汪志球" in record.body.replace("\u3000", "")


def test_photo_credit_closes_its_article():
    text = "\n\n".join([
        "图为人们在观赏花灯。", "肖  翊摄（影像中国）", "本报讯（记者 林韬）12月14日上午，区人大",
        "常委会组织代表开展视察活动。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("摄（影像中国）") and second.body.startswith("本报讯")


def test_headline_above_a_body_is_not_its_first_line():
    # Type is set greedily: the first line of the park story ("今天公园开放了，", indented, its comma
    # hanging) and the next fill the column of 9; the headline above would have room for one more
    # character, so it is not the paragraph's first line.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。",
        "某某区召开年度重点工作会议", "新区公园开园迎客",
        "今天公园开放了，", "吸引了许多市民前来", "游玩和锻炼身体。",
    ])
    first, second = parse_page(text)
    assert first.title == ["某某区召开年度重点工作会议"] and first.body.endswith("按期完成。")
    assert second.title == ["新区公园开园迎客"] and second.body.startswith("今天公园开放了")


def test_one_sentence_line_after_a_full_line_stays_in_its_paragraph():
    # "张三说。" is too short to show an indent: it ends the paragraph above, not the next
    # article (set in a narrower column, without a headline between).
    text = "\n\n".join([
        "本报讯（记者张三）会", "上大家纷纷表示今年一定要", "完成各项工作任务，我们有", "信心完成全年的各项任务。",
        "张三说。", "今天公园开放了，", "吸引了许多市民前来", "游玩和锻炼身体。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("任务。张三说。") and second.body.startswith("今天公园")


def test_lone_line_before_an_unindented_paragraph_is_its_first_line():
    # The park story's second line fills its column of 12 without an indent, so its paragraph began a
    # line earlier: "近日，新区的公园开放" (the indented first line, its sentence going on) is body, not
    # headline, though the overfull line with "12.5%" keeps the paragraph from reading as wrapped.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "某某区召开二〇二三年度重点工作会议",
        "新区公园开园迎客", "近日，新区的公园开放", "了，吸引了许多市民前来游", "玩，游客量增长了百分之12.5%",
        "大家都很满意。", "管理处表示，将继续做", "好服务工作，让市民游玩得", "更加开心，更加放心。",
    ])
    first, second = parse_page(text)
    assert second.title == ["新区公园开园迎客"] and second.body.startswith("近日，新区的公园开放了")
    # A line the justifier spread with spaces fills its column by its printed width.
    first, second = parse_page(text.replace("近日，新区的公园开放", "近日 ， 新 区 公园放"))
    assert second.title == ["新区公园开园迎客"] and second.body.startswith("近日，新区公园放了")


def test_text_ending_no_sentence_before_a_byline_opens_its_article():
    # A news roundup prints each brief's title in body type right above its byline: it belongs to the
    # brief, not to the end of the article before.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "市图书馆推出夜间借阅服", "务",
        "本报讯（记者李四）日前，", "市图书馆推出夜间借阅服务，", "方便市民下班后借书。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("按期完成。")
    assert second.body.startswith("市图书馆推出夜间借阅服务\n本报讯")


def test_headline_a_character_wider_than_the_column_parts_two_articles():
    # Both stories are set 12 wide; the 13-character line between them cannot be a line of that
    # column, so it is a headline and the park story (no byline) is an article of its own.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "某某区召开年度重点工作会议",
        "新区公园今天正式开放，", "吸引了许多市民前来游玩和", "锻炼身体，大家纷纷表示公", "园环境优美。",
    ])
    first, second = parse_page(text)
    assert first.title == ["某某区召开年度重点工作会议"] and first.body.endswith("按期完成。")
    assert second.body.startswith("新区公园今天正式开放")


def test_body_between_a_headline_above_and_one_below_splits_where_their_words_recur():
    # Two stories set one after the other in one column, the first headed above, the second below:
    # the park headline's words recur in the first paragraphs, the library's in the last.
    text = "\n\n".join([
        "新公园开园", "新区公园今天正式开园，", "吸引了许多市民前来游玩。", "公园里绿树成荫，市民们在",
        "公园散步，十分惬意。", "市图书馆从本月起延长开", "放时间，每天开放到晚上九", "点，方便市民下班后借书。",
        "市图书馆延长开放时间",
    ])
    first, second = parse_page(text)
    assert first.title == ["新公园开园"] and first.body.endswith("十分惬意。")
    assert second.title == ["市图书馆延长开放时间"] and second.body.startswith("市图书馆从本月起")
    # The park story's last line fills the column, so its paragraph runs on into the library story:
    # the split goes after the full line ending a sentence.
    first, second = parse_page(text.replace("公园散步，十分惬意。", "公园散步锻炼，十分惬意。"))
    assert first.body.endswith("十分惬意。") and second.body.startswith("市图书馆从本月起")


def test_a_word_starting_with_dian_is_no_dispatch():
    from indexer.bylines import is_byline_start
    assert is_byline_start("本报电近日，") and is_byline_start("新华社北京1月7日电记者获悉")
    assert not is_byline_start("今日俄罗斯国际通讯社、德国电视二台等外国媒体")


def test_credits_one_after_another_stay_with_their_article():
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。",
        "制图：李四", "本期统筹：王五",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("制图：李四\n本期统筹：王五")


def test_a_dateline_in_brackets_stays_under_its_headline():
    # "（2023年1月5日，某某区）" shares words with the next story, but a line wholly in brackets under a
    # headline is that headline's dateline (a speech's), as a dash subtitle is.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "在某某区年度工作会议上的讲话", "（2023年1月5日，某某区）",
        "某某公园开园迎客", "本报讯（记者李四）2023", "年1月5日，某某区新区公园", "正式开园迎客，吸引了许多",
        "市民前来游玩，大家纷纷表", "示公园环境优美。",
    ])
    first, second = parse_page(text)
    assert first.title == ["在某某区年度工作会议上的讲话", "（2023年1月5日，某某区）"]
    assert second.title == ["某某公园开园迎客"]


def test_photo_agency_credit_notes_and_nested_brackets_sign_off():
    from indexer.bylines import SIGN_OFF_RE
    for line in ("新华社发", "新华社记者张三发", "（文中人物均为化名）", "投稿邮箱：abc@example.com", "资料照片",
                 "（作者为某某大学（研究院）教授）", "（摘编自1月5日《某某日报》）"):
        assert SIGN_OFF_RE.match(line), line
    assert not SIGN_OFF_RE.match("新华社发布最新消息")
    text = "\n\n".join([
        "图为游客在公园里散步。", "新华社发", "本报讯（记者李四）今天", "上午，新区公园正式开园。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("新华社发") and second.body.startswith("本报讯")


def test_captions_of_one_photo_story_stay_together():
    text = "\n\n".join([
        "图①：新区公园今天正式开", "园迎客。", "张三摄", "图②：市民在公园里散步", "锻炼。", "李四摄",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("李四摄") and "张三摄\n图②" in record.body


def test_bracketed_sign_off_ends_its_article_before_lines_that_look_wrapped():
    # The sign-off and the two lines under it widen like the start of a wrapped paragraph; the
    # sign-off still closes the article, and the lines under it are headlines.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。",
        "（本报某地1月5日电）", "某某区召开年度重点工作会", "新区公园开园迎客（民生）",
        "今天，新区公园正式开", "园迎客，吸引了许多市民前", "来游玩，大家纷纷表示公园", "环境优美。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("（本报某地1月5日电）")
    assert second.title == ["新区公园开园迎客（民生）"] and second.body.startswith("今天，新区公园")


def test_lone_line_summing_up_the_text_above_is_its_headline_not_a_sub_heading():
    # Both stories are set 12 wide and nothing else parts them: "新区公园开园" recurs in the park
    # story above and nowhere in the library story below, so it heads the park story.
    text = "\n\n".join([
        "新区公园今天正式开园，", "吸引了许多市民前来游玩。", "公园里绿树成荫，市民们在", "公园散步，十分惬意。",
        "新区公园开园", "市图书馆从本月起延长开", "放时间，每天开放到晚上九", "点，方便市民下班后借书。",
    ])
    first, second = parse_page(text)
    assert first.title == ["新区公园开园"] and first.body.endswith("十分惬意。")
    assert second.body.startswith("市图书馆")


def test_an_ideographic_space_takes_a_characters_room():
    from indexer.layout import split_lines
    [spaced, plain] = split_lines("要点\u3000当前工作\n要点 当前工作")
    assert (spaced.width, plain.width) == (7.0, 6.0)


def test_lead_wrapped_at_the_body_column_is_body_without_a_full_stop():
    # "公园是城市客厅，更是我们" fills the column of 12 the story below is set in, and "的家" is short:
    # a quote pulled out above the body, wrapped like it, not a two-line headline.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。",
        "办好公园 服务市民（民生）", "公园是城市客厅，更是我们", "的家", "新区公园今天正式开园，",
        "吸引了许多市民前来游玩", "和锻炼身体，大家纷纷表示", "公园环境优美。",
    ])
    first, second = parse_page(text)
    assert second.title == ["办好公园 服务市民（民生）"]
    assert second.body.startswith("公园是城市客厅，更是我们的家\n新区公园")


def test_line_opening_with_a_dash_under_a_headline_is_its_subtitle_not_a_wrapped_line():
    text = "\n\n".join([
        "新区公园开园迎来八方游客", "——市民热议家门口的好去处", "今天新区公园正式开园。",
        "公园里绿树成荫，市民们在", "散步锻炼，大家纷纷表示公", "园环境优美。",
    ])
    [record] = parse_page(text)
    assert record.title == ["新区公园开园迎来八方游客", "——市民热议家门口的好去处"]
    assert record.body.startswith("今天新区公园")
    exclaiming = text.replace("新区公园开园迎来八方游客", "新区公园开园啦！").replace("好去处", "好去处在哪里？")
    [record] = parse_page(exclaiming)
    assert record.title == ["新区公园开园啦！", "——市民热议家门口的好去处在哪里？"]


def test_text_above_a_byline_set_wider_than_its_column_is_a_headline():
    # The two lines run on into each other (部/署) but the first is wider than the column of 12 both
    # stories are set in: a headline, not a brief's title in body type.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "某某区召开二〇二三年度工作会议部", "署重点任务",
        "本报讯（记者李四）今天", "上午，新区公园正式开园迎", "客，吸引了许多市民前来游", "玩和锻炼身体。",
    ])
    first, second = parse_page(text)
    assert first.title == ["某某区召开二〇二三年度工作会议部", "署重点任务"]
    assert second.body.startswith("本报讯（记者李四）")


def test_headline_running_on_like_text_above_a_narrower_body_is_a_headline():
    # The headline's two lines run on into each other (部/署), yet the first is wider than the column
    # of 12 the story is set in; the sign-off's inner bracket closes at a line end before its own.
    text = "\n\n".join([
        "某某区召开二〇二三年度工作会议部", "署重点任务", "本月初，某某区召开了一次", "重要的工作会议，部署明年",
        "各项工作任务。会议要求各", "部门抓好落实，确保各项目", "标任务按期完成。", "（作者为某某大学（研究院）",
        "教授）", "新区公园开园迎客了",
    ])
    [record] = parse_page(text)
    assert record.title == ["某某区召开二〇二三年度工作会议部", "署重点任务", "新区公园开园迎客了"]
    assert record.body.startswith("本月初") and record.body.endswith("（作者为某某大学（研究院）教授）")


def test_salutation_label_or_brief_title_opens_the_body():
    text = "\n\n".join([
        "在某某区年度工作会议上的讲话", "同志们：", "今天我们在这里召开会议，", "总结今年的工作，部署明年", "的任务。",
    ])
    [record] = parse_page(text)
    assert record.title == ["在某某区年度工作会议上的讲话"]
    assert record.body.startswith("同志们：\n今天我们")
    [record] = parse_page(text.replace("同志们：", "【点评】"))
    assert record.body.startswith("【点评】\n今天我们")
    [record] = parse_page(text.replace("同志们：", "一、总体情况"))
    assert record.body.startswith("一、总体情况\n今天我们")
    brief = "\n\n".join(["新区公园开园", "本报电 今天上午，新区公园", "正式开园迎客。"])
    [record] = parse_page(brief)
    assert record.title == [] and record.body.startswith("新区公园开园\n本报电")


def test_a_kicker_leads_into_one_main_line():
    # After "某某区召开会议——" and its main line, a third line starts the next headline, though its
    # words recur in the first story.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。会议要求各",
        "部门抓好落实，确保各项目", "标任务按期完成。", "某某区召开会议——", "部署明年各项工作任务", "抓好落实确保完成",
        "本报讯（记者李四）今天", "上午，新区公园正式开园迎", "客，吸引了许多市民前来游", "玩和锻炼身体。",
    ])
    first, second = parse_page(text)
    assert first.title == ["某某区召开会议——", "部署明年各项工作任务"]
    assert second.title == ["抓好落实确保完成"]


def test_briefs_of_a_roundup_make_one_article():
    text = "\n\n".join([
        "新区公园开园", "本报电 今天上午，新区公园", "正式开园迎客。", "（张三）",
        "市图书馆延长开放时间", "本报电 市图书馆从本月起", "延长开放时间。", "（李四）",
        "资讯",
    ])
    [record] = parse_page(text)
    assert record.title == ["资讯"]
    assert record.body.startswith("新区公园开园\n本报电") and "（张三）\n市图书馆延长开放时间\n本报电" in record.body


def test_a_labelled_credit_runs_on_into_its_wrapped_rest():
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。",
        "数据来源：某某市委宣", "传部", "新区公园开园迎客了",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("数据来源：某某市委宣传部") and record.title == ["新区公园开园迎客了"]
    # A credit whose word runs on into the next line ("省" / "电力", a pair the page uses) ends there.
    text = "\n\n".join([
        "本报讯（记者张三）今", "天上午，某某省电力公司召", "开了一次重要的工作会议，", "部署明年各项工作任务。",
        "数据来源：国网某某省", "电力有限公司", "某某：电力大数据  助力小康之美",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("数据来源：国网某某省电力有限公司") and record.title == ["某某：电力大数据 助力小康之美"]


def test_two_reports_of_one_dispatch_share_one_headline():
    text = "\n\n".join([
        "新华社北京3月31日电 国务院总", "理某某今天下午应约同甲国", "总理通电话。",
        "新华社北京3月31日电 国务院总", "理某某今天下午应约同乙国", "总理通电话。",
        "某某分别同甲国、乙国总理通电话",
    ])
    [record] = parse_page(text)
    assert record.title == ["某某分别同甲国、乙国总理通电话"] and record.body.count("新华社北京3月31日电") == 2


def test_a_line_spaced_by_the_typesetter_is_body_type():
    text = "\n\n".join([
        "回\u00a0信", "某某社区全体社区工作者：", "你们好，来信收悉。我一直", "牵挂着大家。",
        "新区公园今天开园迎客", "本报讯（记者张三）今", "天上午，新区公园正式开园", "迎客。",
        "张三\u00a0李四摄影报", "道",
    ])
    records = parse_page(text)
    assert [record.title for record in records] == [[], ["新区公园今天开园迎客"]]
    assert records[0].body.startswith("回\u00a0信\n") and records[1].body.endswith("张三\u00a0李四摄影报道")


def test_a_line_quoting_the_body_below_leads_it():
    text = "\n\n".join([
        "好家风就像指路的灯（民生观）", "好家风就像一盏明灯，照亮人生的长路",
        "最近，奋战在抗洪前线的战", "士与母亲视频通话。", "好家风就像一盏明灯，", "照亮人生的长路。",
    ])
    [record] = parse_page(text)
    assert record.title == ["好家风就像指路的灯（民生观）"]
    assert record.body.startswith("好家风就像一盏明灯，照亮人生的长路\n最近")


def test_the_main_line_under_a_kicker_is_no_first_line_of_the_body():
    text = "\n\n".join([
        "通过三维激光扫描等技术，北京延庆——", "为长城制作“厘米级”数字档案",
        "层峦叠嶂、蜿蜒巍峨，一段段古老", "的长城通过无人机、三维激光扫描", "等技术，正以“厘米级”的高精度，",
        "通过数字化的方式呈现。近日，北", "京市延庆区长城保护工作取得了新", "的进展。",
    ])
    [record] = parse_page(text)
    assert record.title == ["通过三维激光扫描等技术，北京延庆——", "为长城制作“厘米级”数字档案"]
    assert record.body.startswith("层峦叠嶂")


def test_a_headline_as_wide_as_the_column_right_above_a_byline_is_no_wrapped_line():
    # The headline and the lines under it all fill the column of 13, but a byline opens a paragraph:
    # the line above it cannot be that paragraph's first line.
    text = "\n\n".join([
        "新区公园今天正式开园迎客了", "本报讯（记者李四）今天上", "午，新区公园正式开园迎客，",
        "吸引了许多市民前来游玩和锻", "炼，大家纷纷表示公园环境优", "美。",
    ])
    [record] = parse_page(text)
    assert record.title == ["新区公园今天正式开园迎客了"] and record.body.startswith("本报讯")


def test_a_line_too_short_to_be_wrapped_with_the_paragraph_below_is_a_headline():
    # "城市" / "民" is a pair the page uses ("市民"), yet the 8-character line cannot be a line of the
    # paragraph below: its first line (indented) and the next fill a column of 12.
    text = "\n\n".join([
        "建设美丽宜居城市", "民生工程是城市建设的", "重点。某某区今年投入资金", "建设了三个公园，吸引了许",
        "多市民前来游玩锻炼。",
    ])
    [record] = parse_page(text)
    assert record.title == ["建设美丽宜居城市"] and record.body.startswith("民生工程")


def test_a_gap_opening_with_the_headline_of_the_text_above_parts_two_articles():
    # "新区公园开园" sums up the park story and recurs nowhere in the library story; the line under it
    # heads the library story, whose words it shares, so the two lines are no sub-heading.
    text = "\n\n".join([
        "新区公园今天正式开园，", "吸引了许多市民前来游玩。", "公园里绿树成荫，市民们在", "公园散步，十分惬意。",
        "新区公园开园", "图书馆延时开放", "市图书馆从本月起延长开", "放时间，每天开放到晚上九", "点，方便市民下班后借书。",
    ])
    first, second = parse_page(text)
    assert first.title == ["新区公园开园"] and first.body.endswith("十分惬意。")
    assert second.title == ["图书馆延时开放"] and second.body.startswith("市图书馆从本月起")
    # A kicker is not cut from its main line: "新区公园里——" leads into the sub-heading below.
    [record] = parse_page(text.replace("新区公园开园", "新区公园里——"))
    assert "新区公园里——\n图书馆延时开放\n市图书馆" in record.body


def test_a_paragraphs_indented_first_line_may_end_in_a_bracket():
    # "2012年，某厂（集团）" is the indented first line of a paragraph set 12 wide, not a headline's
    # column tag; a tagged headline as wide as the column above an unindented paragraph stays one.
    story = ["有限公司停产搬迁，留下一", "片被污染的场地，如今已变", "成了公园。"]
    report = ["本报讯（记者张三）今", "天上午，某某区召开了一次", "重要的工作会议，部署明年", "各项工作任务。"]
    [record] = parse_page("\n\n".join([*report, "变废为宝", "2012年，某厂（集团）", *story]))
    assert record.body.endswith("变废为宝\n2012年，某厂（集团）有限公司停产搬迁，留下一片被污染的场地，如今已变成了公园。")
    first, second = parse_page("\n\n".join([*report, "老厂区变成新公园（民生）", *story]))
    assert second.title == ["老厂区变成新公园（民生）"] and second.body.startswith("有限公司")


def test_a_dateline_in_brackets_under_a_headline_is_no_first_line_of_the_body():
    # The bracketed line is as wide as an indented first line of the column of 12 and the text
    # below lost its indent; a line wholly in brackets still stays under its headline.
    text = "\n\n".join([
        "在某某区年度工作会议上的讲话", "（2023年12月15日晚）", "今天我们在这里召开会议总", "结今年的工作部署明年的任",
        "务大家要认真抓好落实确保", "各项任务按期完成。",
    ])
    [record] = parse_page(text)
    assert record.title == ["在某某区年度工作会议上的讲话", "（2023年12月15日晚）"]
    assert record.body.startswith("今天我们")


def test_a_long_column_tag_ends_its_headline():
    # A series name in the tag may run past twenty characters; the tag still ends the park story's
    # headline, so the line under it heads the bookshop story, though its words recur above.
    text = "\n\n".join([
        "新区公园和图书馆今天正式", "开放，吸引了许多市民前来", "游玩和借书。公园里绿树成", "荫，图书馆里书香四溢。",
        "公园开放服务市民（深入学习贯彻新时代中国特色社会主义思想）", "图书馆里书香四溢（读书）",
        "本报讯（记者李四）市里新", "开了一家书店，方便市民下", "班后看书。",
    ])
    first, second = parse_page(text)
    assert first.title == ["公园开放服务市民（深入学习贯彻新时代中国特色社会主义思想）"]
    assert second.title == ["图书馆里书香四溢（读书）"]


def test_a_text_signed_off_by_the_dispatch_of_the_report_below_shares_its_article():
    # A letter signed "（新华社北京4月9日电）", then the report on it from that dispatch: one article.
    text = "\n\n".join([
        "回\u00a0信", "某某社区全体社区工作者：", "你们好，来信收悉。我一直", "牵挂着大家。", "（新华社北京4月9日电）",
        "新华社北京4月9日电 某某4", "月8日给某某社区全体社区", "工作者回信，勉励大家。", "某某给社区工作者回信",
    ])
    [record] = parse_page(text)
    assert record.title == ["某某给社区工作者回信"] and "（新华社北京4月9日电）\n新华社北京4月9日电" in record.body
    letter, report = parse_page(text.replace("新华社北京4月9日电 某某4", "新华社上海4月9日电 某某4"))
    assert letter.body.endswith("（新华社北京4月9日电）") and report.body.startswith("新华社上海")


def test_a_line_narrower_than_the_next_shows_no_column():
    # The two-line sub-heading runs on into the paragraph below it; its short second line is no full
    # line of a narrower column, so the story set 15 wide stays one article.
    text = "\n\n".join([
        "某某区今年推进城市更新，全", "区上下齐心协力，协调各方的力量，", "老旧小区改造全面完成，道路交通",
        "更加通畅，群众的获得感不断增强，", "城市面貌焕然一新，受到了广泛的", "好评。",
        "不断健全总揽全局、协调各方", "的党的领导制度体系", "高度重视城市管理 工作，", "是某某区的优良传统和巨大优势。",
        "今年以来，某某区把城市管理工作", "摆在更加突出的位置，出台了一系", "列新的制度和办法，城市管理水平",
        "明显提升，市民们纷纷点赞。",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("市民们纷纷点赞。")


def test_a_credit_as_wide_as_the_verse_above_it_signs_the_article_off():
    # "电动成时尚。" fills its 6-wide line and the credit under it is as wide, yet a credit never
    # continues a paragraph: it closes the photo story, and the story below is another article.
    text = "\n\n".join([
        "新区公园开园迎客", "这正是：", "出行看续航，", "有赖充电桩。", "设施补短板，", "电动成时尚。", "张三图  李四文",
        "图片报道", "新区公园今天正式开", "园，吸引了许多市民", "前来游玩和锻炼。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("电动成时尚。\n张三图李四文") and second.body.startswith("新区公园今天")


def test_a_notice_is_signed_off_by_its_signer_and_date():
    text = "\n\n".join([
        "征文启事", "为做好有关工作，某某区总工会", "决定开展征文活动，欢迎广大职", "工踊跃投稿。",
        "某某区总工会", "2023年6月1日",
        "新区公园开园迎客", "本报讯（记者李四）今天上", "午，新区公园正式开园迎客。",
    ])
    notice, report = parse_page(text)
    assert notice.title == ["征文启事"] and notice.body.endswith("踊跃投稿。\n某某区总工会2023年6月1日")
    assert report.title == ["新区公园开园迎客"]
    from indexer.bylines import SIGN_OFF_RE
    assert SIGN_OFF_RE.match("2023年6月1日") and not SIGN_OFF_RE.match("2023年6月1日上午，某某区召开会议")


def test_key_points_above_a_byline_open_its_article():
    # A box of key points, each opening with a bullet, some ending a sentence and some not, stands
    # between the headline and the report's byline: all of it belongs to the report.
    text = "\n\n".join([
        "本报讯（记者张三）今天上", "午，某某区召开了一次重要的", "工作会议，部署明年各项工作", "任务。",
        "某某在某区考察时强调", "抓好落实确保完成全年各项目标任务",
        "■ 要抓好落实，确保各项任", "务按期完成，推动各项工作取", "得新成效",
        "■ 要关心群众生活，办好民", "生实事，让群众的获得感不断", "增强。",
        "■ 要加强作风建设，为发展", "提供坚强保障，确保各项任务", "落到实处",
        "本报讯（记者李四）某某近", "日在某区考察时强调，要抓好", "落实，确保完成各项任务。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("部署明年各项工作任务。")
    assert second.title == ["某某在某区考察时强调", "抓好落实确保完成全年各项目标任务"]
    assert second.body.startswith("■要抓好落实") and "落到实处\n本报讯（记者李四）" in second.body
    # A point that fills its line without a full stop does not run on into the next point.
    from indexer.layout import classify, split_lines
    lines = split_lines("\n\n".join(["■ 要抓好落实，确保各项任", "务按期完成，推动各项工作取", "■ 要关心群众生活。"]))
    classify(lines)
    assert lines[0].goes_on and not lines[1].goes_on


def test_a_dash_over_the_points_of_a_list_leads_into_it():
    # "到今年年底——" ends in a dash like a kicker, but a bullet point under it is no headline's main line.
    text = "\n\n".join([
        "塑料污染治理再加力度（政策解读）", "到今年年底——", "●禁止生产销售一次性发泡", "塑料餐具和塑料棉签。",
        "●禁止生产含塑料微珠的日化", "产品。",
    ])
    [record] = parse_page(text)
    assert record.title == ["塑料污染治理再加力度（政策解读）"]
    assert record.body.startswith("到今年年底——\n●禁止生产销售一次性发泡塑料餐具")


def test_a_sign_off_in_brackets_on_a_line_of_its_own_ends_its_paragraph():
    # The sentence above runs on into the credit line; the credit still ends the paragraph, so the
    # full line under it does not continue it.
    from indexer.layout import classify, split_lines
    lines = split_lines("\n\n".join([
        "我们坚持以大概率思维应对小概", "率事件，精准施策，统筹推进各", "项工作，某某区区长李四日前在",
        "应急指挥部的工作会议上说", "（本报记者  张三整理）", "当前，疫情防控正处在关键阶段。",
    ]))
    classify(lines)
    assert lines[3].goes_on and not lines[4].goes_on


def test_a_pointer_to_related_text_after_the_last_full_stop_ends_the_paragraph():
    # "…奠定了基础。（相关报道见第二版）" ends its sentence and the article's text; the line under it is
    # the headline, not the paragraph's next line.
    text = "\n\n".join([
        "本报讯（记者张三）今天上", "午，新区公园正式开园迎客，", "奠定了基础。（相关报道见第二版）", "新区公园开园迎客",
        "本报讯（记者李四）今天上", "午，市图书馆延长开放时间，", "方便市民下班后借书。",
    ])
    first, second = parse_page(text)
    assert first.title == ["新区公园开园迎客"] and first.body.endswith("奠定了基础。（相关报道见第二版）")


def test_a_quotes_source_under_it_is_body_not_a_subtitle():
    text = "\n\n".join([
        "良种培育为粮食安全提供支撑（微观）", "种业是农业的“芯片”，是保障国家粮食安全的", "重要基础性行业。", "——《某某日报》",
        "良种是农业高质量发展的重要抓手，也是提高", "农业竞争力的关键。", "——《某某晚报》",
        "详见3版", "新区公园开园迎客",
    ])
    article, teaser = parse_page(text)
    assert article.title == ["良种培育为粮食安全提供支撑（微观）"]
    assert "——《某某日报》\n良种是" in article.body and article.body.endswith("——《某某晚报》")
    assert teaser.title == ["新区公园开园迎客"]


def test_a_label_right_after_a_sign_off_adds_to_the_article():
    text = "\n\n".join([
        "物联网开启万物互联时代（开卷知新）", "我们应当抓住机遇创造未来，建设", "好智能化数字中国。", "（作者为某某学会物联网委员会主任）",
        "推荐读物：", "1．《物联网导论》：张三著；某某", "出版社出版。",
    ])
    [record] = parse_page(text)
    assert record.body.endswith("委员会主任）\n推荐读物：\n1．《物联网导论》：张三著；某某出版社出版。")


def test_a_sentence_ending_at_the_column_edge_does_not_run_on_into_a_report_set_wider():
    # "…乐开怀。" fills the park story's column of 12; the library story below it, set 13 wide, opens
    # with a line as wide as a full line of 12, but its paragraph does not wrap at 12: two articles.
    text = "\n\n".join([
        "新区公园今天正式开园", "迎客吸引了许多市民前来游", "玩锻炼公园里绿树成荫市民", "们在公园散步大家纷纷点赞", "称好不已满意而归乐开怀。",
        "市图书馆从本月起延长开", "放时间每天开放到晚上九点方", "便市民下班后借书许多市民表", "示这一举措很贴心很实用大家",
        "都说以后要常来图书馆看看书", "学习。",
    ])
    first, second = parse_page(text)
    assert first.body.endswith("乐开怀。") and second.body.startswith("市图书馆")


def test_to_dict_is_json_ready(seed_records):
    data = seed_records[0].to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["date"] == "2022-12-12" and data["lines"] == [[1, 105]]


@pytest.mark.parametrize("path, expected", [
    ("archive/拱墅报/2022-12-15/01.txt", ("拱墅报", datetime.date(2022, 12, 15), 1)),
    ("拱墅报/2022-12-15/12.txt", ("拱墅报", datetime.date(2022, 12, 15), 12)),
    ("拱墅报/2022-13-15/01.txt", (None, None, None)),
    ("拱墅报/20221215/01.txt", (None, None, None)),
    ("2022-12-15/01.txt", (None, None, None)),
    ("拱墅报/2022-12-15/page1.txt", (None, None, None)),
])
def test_page_meta_from_path(path, expected):
    assert page_meta_from_path(path) == expected


@pytest.mark.parametrize("text", [
    "", "\n\n", "\r\n\r", "\u3000\u3000", "详见2版", "（下转2版）", "只有一行标题",
    "标题一\r\n\r\n标题二\r\r", "a\x00b\rc\n\n\n本报讯", bytes(range(256)).decode("latin-1"),
])
def test_odd_pages_never_crash_and_conserve(text):
    assert conserved(text, parse_page(text))


# --- properties ---------------------------------------------------------------------

PAGE_PIECES = st.sampled_from([
    "本报讯（记者 林韬 通讯员 王", "凯）12月12日上午，", "本报北京1月7日电 （记者王伟健）",
    "新华社北京12月31日电（记者邹伟、王思北）", "本报记者  王观", "（下转2版）", "（下", "转3版）",
    "（上接1版）", "详见      版2", "（详见第4版）", "拱墅区人民政府与浙商银行签署战略", "合作协议。",
    "周伟 新等的共同见证 下，", "2 0 2 3 年", "核心阅读", "——记者手记", "争分夺秒冲刺半个月  确保",
    "iPhone 12", "\u3000\u3000", "\u00a0", "。", "”", "（", "）", "", " ", "\t",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PAGE_PIECES, st.sampled_from(["\n\n", "\n", "\r\n", "\r", "", " "])), max_size=60))
def test_newspaper_like_pages_conserve_characters(pieces):
    text = "".join(piece + separator for piece, separator in pieces)
    records = parse_page(text, issue_date=datetime.date(2023, 1, 5))
    assert conserved(text, records)
    for record in records:
        assert record.kind in ("article", "teaser")
        json.dumps(record.to_dict(), ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_conserves_characters(text):
    assert conserved(text, parse_page(text))


def test_five_megabyte_page():
    seed = SEED.read_text(encoding="utf-8")
    text = seed * (5_000_000 // len(seed.encode("utf-8")) + 1)
    records = parse_page(text)
    assert conserved(text, records)
    assert sum(r.kind == "teaser" for r in records) == text.count("详见")


# --- figures on the dev pages ----------------------------------------------------------

#: Targets from the issue.
TARGETS = {"body_exact": 0.95, "headline_exact": 0.93, "continued_to": 0.99, "teasers_found": 0.95,
           "conserved": 1.0}
#: What the parser reaches today (a regression guard, a little under the measured figures).
FLOORS = {"body_exact": 0.95, "headline_exact": 0.935, "continued_to": 0.99, "teasers_found": 0.98,
          "conserved": 1.0}


@pytest.fixture(scope="module")
def dev_rates() -> dict[str, float]:
    if not DEV_PAGES.is_dir():
        pytest.skip(f"dev pages not found at {DEV_PAGES} (../shared/pages-dev next to the project)")
    return _benchmark().score_folder(DEV_PAGES).rates()


def test_dev_pages_do_not_regress(dev_rates):
    low = {name: value for name, value in dev_rates.items() if value < FLOORS[name]}
    assert not low, f"below the floor: {low}"


def test_dev_pages_meet_targets(dev_rates):
    low = {name: value for name, value in dev_rates.items() if value < TARGETS[name]}
    assert not low, f"below target: {low}"
