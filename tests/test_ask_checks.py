"""`ask`: what a question asks for, the sentence-level check of LLM answers, superseded rules,
the Chinese format guide, and the LLM path (rewrite, verification) against the local server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.ask.answer import ask
from agent.ask.asked import asked_for, gives, named_item
from agent.ask.citations import Passage, place_name
from agent.ask.rewrite import parse_queries
from agent.ask.superseded import current_article, supersessions
from agent.ask.verify import claims, cn_number, verify
from agent.settings import load_settings

KEY33 = "[条例 第三十三条]"
Q33 = "别人申请公开信息，我们当场答不了的话，最多能拖多久再回复？"
TEXT33 = (
    "第三十三条 行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。\n"
    "行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复；需要延长答复期限的，"
    "应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。"
)


def _passage(
    key: str, locator: str, text: str, doc: str = "corpus/regulations/zfxxgk-tiaoli-2019.md"
) -> Passage:
    return Passage(
        key=key,
        document=Path(doc).name,
        doc_id=doc,
        title="中华人民共和国政府信息公开条例",
        kind="regulation",
        locator=locator,
        section_path=locator,
        text=text,
    )


P33 = _passage(KEY33, "第三十三条", TEXT33)
P30 = _passage(
    "[条例 第三十条]",
    "第三十条",
    "第三十条 政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起7个工作日内一次性告知申请人作出补正。",
)


# ----------------------------------------------------------------------------- what is asked


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("年报最晚什么时候要挂到网上？", "when"),
        ("补正通知里给申请人留几天补正合适？", "span"),
        ("主动公开的文件在网站上要挂几年才能撤下来？", "years"),
        ("信息公开的行政官司，原告起诉要交多少诉讼费？", "amount"),
        ("复印费、邮费能不能按成本找他收？", "fee"),
        ("咱们县里信息公开到底归谁管？", "who"),
        ("一个人一年申请多少件才算明显超过合理范围？", "count"),
        ("申请内容不明确怎么处理？", "none"),
        ("门户网站支持IPv6，要点给的最后期限是什么时候？", "when"),  # 期限是什么时候: a date, not a span
        ("3月31号之前挂出来就行吧？", "when"),
        # what is asked is read in the sentences that ask, not in the situation told before them
        ("要翻十几年前的老档案，二十个工作日弄不完。最多能推多久？", "span"),
        ("办公室清库房，有一堆十几年前的旧档案，能不能自己碎掉？", "none"),  # 十几年前: a time ago
        ("那几件借申请的名义来投诉的，表三里放在哪一行？", "none"),  # 那几件: those few
        ("信访复核要开听证，要通知哪些人、提前几天？", "span"),  # 提前几天 still asks
        ("局里要出台一项政策，要点要求拍板之前要做什么？", "none"),  # 之前 after an act, not a date
        ("窗口收了个申请，收费明细还没出。这件怎么登记？", "none"),  # 收费 only in the situation told
    ],
)
def test_what_a_question_asks_for(question: str, kind: str) -> None:
    assert asked_for(question).kind == kind


def test_a_sentence_gives_what_is_asked_or_not() -> None:
    assert gives(asked_for("补正要留几天？"), "自收到申请之日起7个工作日内一次性告知申请人作出补正")
    assert not gives(asked_for("补正要留几天？"), "说明需要补正的事项和合理的补正期限。")
    assert not gives(asked_for("政府办多少天内要审核？"), "应当在每年1月31日前提交")  # a date is not a span
    assert gives(asked_for("最晚哪天交？"), "应当在每年1月31日前提交")
    assert not gives(asked_for("要挂几年？"), "应当自该政府信息形成或者变更之日起20个工作日内予以公开")
    assert gives(asked_for("该找谁来确定？"), "报有关主管部门或者保密行政管理部门确定")
    assert gives(asked_for("最后期限是什么时候？"), "在今年年底前，要实现门户网站支持互联网协议第6版")
    assert named_item("上海民宗局2022年要点第四部分的第（三）条讲的是啥？") == "四（三）"


# ----------------------------------------------------------------------------- the sentence check


def test_chinese_numerals_compare_as_numbers() -> None:
    assert cn_number("二十") == 20 and cn_number("十五") == 15 and cn_number("一百零二") == 102
    assert claims("应当在十五日内答复[条例 第三十三条]。") == ["15日"]
    assert claims("最长不得超过20个工作日。") == ["20工作日"]


def test_a_wrong_time_limit_under_a_valid_key_is_removed() -> None:
    reply = f"不能当场答复的，应当在20个工作日内答复{KEY33}。延长最长不超过30个工作日{KEY33}。"
    checked = verify(reply, [P33, P30])
    assert checked.keys == [KEY33]
    assert "30个工作日" not in checked.text and "20个工作日内答复" in checked.text
    assert [r.reason for r in checked.removed] == ["“30工作日”在所引段落中找不到"]


def test_a_sentence_with_an_invalid_key_goes_with_it() -> None:
    reply = f"应当在20个工作日内答复{KEY33}。还可以收取检索费[条例 第九十九条]。"
    checked = verify(reply, [P33, P30])
    assert checked.rejected == ["[条例 第九十九条]"]
    assert "检索费" not in checked.text and checked.keys == [KEY33]


def test_an_uncited_sentence_is_removed_and_citations_after_the_stop_count() -> None:
    checked = verify("答复期限是20个工作日。[条例 第三十三条]\n另外要注意态度。", [P33])
    assert checked.keys == [KEY33]
    assert "注意态度" not in checked.text
    assert any(r.reason == "没有标注依据" for r in checked.removed)


def test_a_number_must_be_in_the_passage_it_cites_not_another() -> None:
    checked = verify("7个工作日内告知补正[条例 第三十三条]。", [P33, P30])
    assert checked.keys == [] and checked.removed


def test_rewrite_reply_is_parsed_into_queries() -> None:
    reply = "1. 依申请公开 答复期限\n- 延长答复期限 工作机构负责人同意\n依申请公开 答复期限\n第四条\n第五条"
    assert parse_queries(reply, "问题") == [
        "依申请公开 答复期限",
        "延长答复期限 工作机构负责人同意",
        "第四条",
    ]


# ----------------------------------------------------------------------------- superseded rules


def test_the_2007_text_is_flagged_with_the_current_article() -> None:
    old = _passage(
        "[2007条例 第二十四条]",
        "第二十四条",
        "第二十四条 行政机关不能当场答复的，应当自收到申请之日起15个工作日内予以答复。",
        doc="corpus/regulations/zfxxgk-tiaoli-2007-superseded.md",
    )
    [s] = supersessions([old])
    assert s.current is not None and s.current.key == KEY33
    assert "20个工作日" in s.current.text and "2019年修订" in s.line()


def test_the_court_rules_three_needs_point_to_the_current_article() -> None:
    p = _passage(
        "[最高法规定 第十二条]",
        "第十二条",
        "第十二条 ……（六）不能合理说明申请获取政府信息系根据自身生产、生活、科研等特殊需要，且被告据此不予提供的。",
        doc="corpus/regulations/spc-zfxxgk-anjian-guiding-2011.md",
    )
    [s] = supersessions([p])
    assert s.current is not None and s.current.key == "[条例 第二十七条]"
    other = _passage("[最高法规定 第一条]", "第一条", "第一条 ……", doc=p.doc_id)
    assert supersessions([other]) == []


def test_every_current_article_of_the_table_exists() -> None:
    from agent.ask.superseded import rules

    for rule in rules():
        for _, target in rule.articles:
            assert current_article(rule.current_document, target) is not None, target


def test_every_cue_of_a_changed_rule_is_old_text_the_current_text_no_longer_uses() -> None:
    from agent.ask.superseded import flat, rules
    from agent.corpus.meta import BUNDLED_PREFIX, corpus_root

    changed = [(rule, c) for rule in rules() for c in rule.changed]
    assert changed
    for rule, change in changed:
        old = current_article(rule.document, change.article)
        assert old is not None and current_article(rule.current_document, change.current) is not None
        whole = flat((corpus_root() / rule.current_document.removeprefix(BUNDLED_PREFIX)).read_text("utf-8"))
        for cue in change.cues:
            assert cue in flat(old.text), (change.article, cue)
            assert cue not in whole, (change.article, cue)


@pytest.mark.parametrize(
    "question, claimed, old, now, says",
    [
        (
            "申请人讲不清有什么特殊需要，我们能据此不给吗？",
            [],
            "[2007条例 第十三条]",
            "[条例 第二十七条]",
            "",
        ),
        (
            "低保户要求减免费用，要走什么审批？",
            [],
            "[2007条例 第二十八条]",
            "[条例 第四十二条]",
            "不收取费用",
        ),
        # the longer cue (收费及减免) wins over 第二十八条's 减免
        ("年报里还要不要写收费及减免情况？", [], "[2007条例 第三十二条]", "[条例 第五十条]", ""),
        (
            "老同事说15个工作日内答复就行，对吧？",
            ["15个工作日"],
            "[2007条例 第二十四条]",
            KEY33,
            "20个工作日",
        ),
    ],
)
def test_a_question_resting_on_a_changed_old_rule_finds_it(
    question: str, claimed: list[str], old: str, now: str, says: str
) -> None:
    from agent.ask.superseded import invoked

    found = invoked(question, claimed)
    assert found is not None
    assert (found.supersession.passage.key, found.current.key) == (old, now)
    assert says in found.current_sentence() and found.current_sentence() in found.current.text
    assert found.old_sentence() in found.supersession.passage.text


def test_no_old_rule_where_the_question_uses_nothing_of_one_or_current_law_says_it() -> None:
    from agent.ask.superseded import invoked

    assert invoked("年报什么时候公布？") is None
    assert invoked("条例修订时为什么删掉了“特殊需要”？") is None  # a question about the revision itself
    assert invoked("20个工作日内答复，对吧？", ["20个工作日"]) is None  # the current article says 20
    third = invoked("第三方15个工作日内提出意见，对吧？", ["15个工作日"])
    # 2007 第二十四条 has 15个工作日 and 第三十三条 does not, but 第三十二条 (the best passage for
    # this question) says it: the value is current law there
    assert third is not None and third.values == ("15个工作日",)
    assert not third.stands_beside(current_article("corpus/regulations/zfxxgk-tiaoli-2019.md", "第三十二条"))
    assert third.stands_beside(current_article("corpus/regulations/zfxxgk-tiaoli-2019.md", "第三十三条"))


# ----------------------------------------------------------------------------- the Chinese guide


def test_guide_parts_are_named_by_their_first_word() -> None:
    assert place_name("spec", "第六部分", "第六部分 其他需要报告的事项") == "第六部分"
    assert place_name("spec", "表三", "表三 收到和处理政府信息公开申请情况") == "表三"
    assert place_name("spec", "", "2019版格式 与2021版格式的区别") == "2019版格式"


@pytest.fixture
def offline(shared_index: Path) -> Any:
    return load_settings(index_path=shared_index, offline=True)


def test_format_questions_get_the_chinese_guide_never_the_english_spec(offline: Any) -> None:
    answer = ask("去年我们收过两笔信息处理费，年报里在哪儿交代、要写到什么程度？", offline, k=10)
    assert not answer.refused
    assert answer.citations[0].key == "[年报指南 第六部分]"
    assert all(not p.key.startswith("[年报格式") for p in answer.passages)
    first = answer.citations[0]
    assert first.highlights and all(h in first.text and h.endswith("。") for h in first.highlights)


def test_the_2007_trap_answers_with_the_current_article(offline: Any) -> None:
    answer = ask(
        "科里的老同志跟我说，依申请公开15个工作日内必须回，实在不行再延15天，是这么回事吧？", offline
    )
    assert not answer.refused and answer.citations[0].key == KEY33
    assert not any(c.key.startswith("[2007条例") for c in answer.citations)
    assert "[2007条例 第二十四条]" in answer.answer and "20个工作日" in answer.answer


def test_a_question_resting_on_the_three_needs_gets_the_current_article_and_the_warning(offline: Any) -> None:
    answer = ask("申请人说不出查这个有什么生产、科研上的特殊需要，我们能以此为由不给吗？", offline)
    assert not answer.refused
    assert answer.citations[0].key == "[条例 第二十七条]"
    assert "[2007条例 第十三条]" in answer.answer and "不能作为现行依据" in answer.answer
    assert not any(c.key.startswith("[2007条例") for c in answer.citations)


# ----------------------------------------------------------------------------- LLM mode


def _llm(server: Any, index: Path) -> Any:
    return load_settings(
        base_url=server.base_url, model="test-model", index_path=index, llm_max_retries=0, cache=False
    )


REWRITE_MARK = "作为检索查询"


def test_llm_wrong_time_limit_is_removed_and_rewrite_is_used(llm_server: Any, shared_index: Path) -> None:
    llm_server.on(REWRITE_MARK, "依申请公开 不能当场答复 答复期限\n延长答复期限 最长不得超过")
    llm_server.default_reply = f"应当在20个工作日内答复{KEY33}。需要延长的，最长可再延长30个工作日{KEY33}。"
    answer = ask(Q33, _llm(llm_server, shared_index))
    prompts = [r.last_user_message for r in llm_server.requests if r.path.endswith("/chat/completions")]
    assert len(prompts) == 2 and REWRITE_MARK in prompts[0]
    assert answer.queries[1:] == ["依申请公开 不能当场答复 答复期限", "延长答复期限 最长不得超过"]
    assert not answer.refused and [c.key for c in answer.citations] == [KEY33]
    assert "30个工作日" not in answer.answer and "20个工作日" in answer.answer
    assert any("30工作日" in n for n in answer.notices)


def test_llm_sentence_with_invalid_key_is_removed_with_it(llm_server: Any, shared_index: Path) -> None:
    llm_server.on(REWRITE_MARK, "依申请公开 答复期限")
    llm_server.default_reply = f"应当在20个工作日内答复{KEY33}。逾期的可以收取滞纳金[条例 第九十九条]。"
    answer = ask(Q33, _llm(llm_server, shared_index))
    assert answer.rejected == ["[条例 第九十九条]"]
    assert "滞纳金" not in answer.answer and "第九十九条" not in answer.answer
    assert [c.key for c in answer.citations] == [KEY33]


def test_llm_answer_with_nothing_verifiable_becomes_the_refusal(llm_server: Any, shared_index: Path) -> None:
    llm_server.on(REWRITE_MARK, "依申请公开 答复期限")
    llm_server.default_reply = f"应当在45个工作日内答复{KEY33}。"
    answer = ask(Q33, _llm(llm_server, shared_index))
    assert answer.refused and answer.citations == []


def test_failed_rewrite_still_answers(llm_server: Any, shared_index: Path) -> None:
    from llm_server import Reply

    llm_server.on(REWRITE_MARK, Reply.error(500))
    llm_server.default_reply = f"应当在20个工作日内答复{KEY33}。"
    answer = ask(Q33, _llm(llm_server, shared_index))
    assert not answer.refused and any("问题改写失败" in n for n in answer.notices)


def test_llm_answer_to_a_question_resting_on_an_old_rule_says_so(llm_server: Any, shared_index: Path) -> None:
    llm_server.on(REWRITE_MARK, "申请获取政府信息 申请人")
    key27 = "[条例 第二十七条]"
    llm_server.default_reply = f"公民、法人或者其他组织可以向行政机关申请获取相关政府信息{key27}。"
    answer = ask("申请人说不出查这个有什么科研上的特殊需要，我们能不给吗？", _llm(llm_server, shared_index))
    prompt = [r.last_user_message for r in llm_server.requests if r.path.endswith("/chat/completions")][-1]
    assert key27 in prompt  # the current article is among the passages the model reads
    assert not answer.refused and answer.citations[0].key == key27
    assert "[2007条例 第十三条]" in answer.answer and "不能作为现行依据" in answer.answer


@pytest.mark.parametrize(
    ("question", "key"),
    [
        (
            "司法局来通知，说申请人对我们的信息公开答复申请了复议，按简易程序审。我们得几天内把答复和证据交过去？",
            "[行政复议法 第五十四条]",
        ),
        (
            "法院送来一份起诉状副本，是个信息公开的案子，我们要多少天内交证据和答辩状？",
            "[行政诉讼法 第六十七条]",
        ),
    ],
)
def test_another_law_asked_about_is_cited_first(offline: Any, question: str, key: str) -> None:
    """No bonus for the 条例: a question about 复议 or 诉讼 is answered from that law."""
    answer = ask(question, offline)
    assert not answer.refused and answer.citations[0].key == key
