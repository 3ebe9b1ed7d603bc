"""What a question asks for, whether the corpus states it, and the signs of a question that
reaches past the corpus (agent.ask.slot, agent.ask.scope), as `ask` uses them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.ask import scope, slot
from agent.ask.answer import ask
from agent.settings import load_settings


@pytest.fixture
def offline(shared_index: Path) -> Any:
    return load_settings(index_path=shared_index, offline=True)


@pytest.mark.parametrize(
    ("question", "kind", "unit"),
    [
        ("补正要给申请人留几天？", "span", "天"),
        ("不能当场答复的，最晚多少个工作日内答复？", "span", "工作日"),
        ("脱密期一般定多长？", "span", ""),
        ("一页收多少钱？", "amount", ""),
        ("一年申请多少件以上才算明显超过合理范围？", "count", "件"),
        ("在考核里占多少分？", "count", "分"),
        ("政务公开工作人员每年培训要满多少学时？", "count", "学时"),
        ("科级干部的办公室最多能占多少平方米？", "count", "平方米"),
        ("下个月去省里参加培训，住宿费一天能报多少？", "amount", ""),  # 报多少: an amount
        ("评估要在几月份之前做完？", "month", ""),
        ("信息处理费怎么收？按页还是按件，多少钱一件？", "amount", ""),  # the choice is another clause
        ("公开目录隔多长时间得更新一次？", "frequency", ""),  # a span “per time”: how often
        ("领导多久要听一次汇报？", "frequency", ""),
        ("多长时间内要一次性告知？", "span", ""),  # 一次性 is not “once per”
        ("疫情期间限流按多少比例？", "percent", ""),
        ("优秀名额占总人数的比例最多是多少？", "percent", ""),
        ("专家要占几成？", "percent", ""),
    ],
)
def test_a_value_asked_for_is_found(question: str, kind: str, unit: str) -> None:
    s = slot.asked_value(question)
    assert s is not None and (s.kind, s.unit) == (kind, unit), s


@pytest.mark.parametrize(
    "question",
    [
        "光复印就得好几天，能不能给他刻个盘？",  # 好几天: context
        "办公室清库房，有一堆十几年前的旧档案，能不能自己碎掉？",  # 十几年前
        "网站上收到几条市民留言，要点对这个有要求吗？",  # 几条 + a noun: context
        "每条信息得列哪几项？",  # an enumeration, not a count
        "表二行政处罚那格，填罚了多少钱还是填多少件？",  # a choice between two things
        "年报表二里行政处罚那一格，是填罚了多少钱，还是填多少件？",  # the same choice across a comma
        "这个申请要不要受理？",
        "申请人说他三天前就寄了。我们还没收到。",  # no question asked
    ],
)
def test_context_numbers_are_not_a_value_asked_for(question: str) -> None:
    assert slot.asked_value(question) is None


def test_a_value_is_stated_only_by_a_number_of_the_asked_kind() -> None:
    days = slot.Slot("span", "天", "几天")
    assert slot.stated_in(days, "应当自收到申请之日起20个工作日内予以答复。")
    assert not slot.stated_in(days, "并告知申请人合理的补正期限。")
    assert not slot.stated_in(days, "依照本条例第三十三条的规定办理。")  # an article number is no day count
    years = slot.Slot("span", "年", "多少年")
    assert not slot.stated_in(years, "应当自收到申请之日起20个工作日内予以答复。")
    money = slot.Slot("amount", "", "多少钱")
    assert not slot.stated_in(money, "采购总金额（单位：万元）。")  # a unit without a number
    free = "行政机关依申请提供政府信息，不收取费用。"
    assert slot.stated_in(money, free, "申请公开要交多少钱？")
    assert slot.stated_in(money, free, "复印费一页收多少钱？")  # 复印 is one of the costs not charged
    # “不收取费用” does not say what a fee the text names apart comes to
    assert not slot.stated_in(
        money, free + "但是，超过合理范围的，可以收取信息处理费。", "信息处理费一页多少钱？"
    )


def test_a_frequency_is_stated_only_by_a_period_per_time() -> None:
    often = slot.Slot("frequency", "", "多久看一次")
    assert slot.stated_in(often, "工作人员要每日查看处理待办事项。")
    assert slot.stated_in(often, "主要领导年内至少听取1次政务公开工作汇报。")
    assert slot.stated_in(often, "原则上两年一次。")
    assert not slot.stated_in(often, "档案馆应当定期公布开放档案的目录。")  # 定期: no period
    assert not slot.stated_in(often, "档案应当自形成之日起满二十五年向社会开放。")  # a span, not how often
    assert slot.Slot("frequency", "", "多久看一次").label == "具体频次（多久看一次）"


def test_scope_signs() -> None:
    assert scope.asks_specifics("答复书有没有标准模板？")
    assert not scope.asks_specifics("收到申请后多少个工作日内答复？")
    assert scope.defers("具体办法由国务院价格主管部门会同国务院财政部门、全国政府信息公开工作主管部门制定。")
    assert not scope.defers("应当自收到申请之日起20个工作日内予以答复。")
    assert scope.local_rule("我们省的政府信息公开实施办法里怎么规定？")
    assert not scope.local_rule("县政府办公室是不是主管部门？")
    # the characters of 省、市、区 in other words are no place
    assert not scope.local_rule("五六个人来要同一份材料，有没有更省事的办法？")
    assert not scope.local_rule("老旧小区改造补偿标准能不能直接挂网？")
    assert not scope.local_rule("区分处理有什么办法？")
    assert scope.local_rule("市里的考核细则怎么规定？")
    # details asked for only in a sentence that asks, not in the situation told before it
    assert not scope.asks_specifics("有人来要同一份征收补偿标准。有没有更省事的办法？")
    assert scope.asks_specifics("有人来要材料。补偿标准是多少？")
    assert scope.cites_text("条例说给“合理的补正期限”，到底几天？")
    assert not scope.cites_text("搞专项评议的时候，要点说请哪些人来评？")  # asks what the text says
    assert scope.asks_count("能不能？要不要？") == 2 and scope.asks_count("能不能") == 1


def test_a_value_no_passage_states_is_refused_and_said(offline: Any) -> None:
    answer = ask("真要收信息处理费的话，一页收多少钱？", offline)
    assert answer.refused and answer.evidence is not None
    assert "多少钱" in answer.evidence.value_missing
    assert "没有找到所问的" in answer.answer and "多少钱" in answer.answer
    assert any("第四十二条" in p.key for p in answer.passages[:3])  # the closest are listed


def test_a_value_the_corpus_states_is_answered(offline: Any) -> None:
    answer = ask("不能当场答复的，最晚多少个工作日内要答复？", offline)
    assert not answer.refused and answer.citations[0].key == "[条例 第三十三条]"
    assert answer.evidence is not None and answer.evidence.value_missing == ""
    assert "20个工作日" in answer.answer


def test_a_close_decision_says_so(offline: Any) -> None:
    """Answers and refusals near the threshold carry a notice; clear ones do not."""
    from agent.ask.answer import CLOSE_BAND, UNSURE_BAND, Evidence, uncertainty_notices, unsure_answer

    def ev(p: float, ok: bool) -> Evidence:
        return Evidence(
            terms=["补正"], covered=[], missing=[], coverage=0.0, probability=p, threshold=0.5, answerable=ok
        )

    assert any("把握不大" in n for n in uncertainty_notices(ev(0.5 + UNSURE_BAND / 2, True)))
    assert not uncertainty_notices(ev(0.95, True))
    assert not uncertainty_notices(ev(0.5 + UNSURE_BAND + 0.01, True))
    assert any("接近可回答" in n for n in uncertainty_notices(ev(0.5 - CLOSE_BAND / 2, False)))
    assert not uncertainty_notices(ev(0.5 - CLOSE_BAND - 0.01, False))
    assert not uncertainty_notices(ev(0.05, False))
    overturned = ev(0.5 - CLOSE_BAND / 2, False).model_copy(update={"llm_decides": True})
    assert unsure_answer(overturned)  # answered by the LLM after a close refusal: unsure too


def test_a_claimed_value_is_put_to_the_test_only_when_asked_about() -> None:
    claims = slot.claimed_values("我工作满十年了，今年的年休假是不是有15天？")
    assert [c.cue for c in claims] == ["十年", "15天"] and all(c.claimed for c in claims)
    assert [c.cue for c in slot.claimed_values("老同志说15个工作日内必须回，是这么回事吧？")] == [
        "15个工作日"
    ]
    assert slot.claimed_values("复印费每页0.5元，是不是收多了？")[0].cue == "0.5元"
    # told as background, or a date / a year: nothing to test
    assert slot.claimed_values("公开指南三年没动过了，电话都换了，上面查出来会怎样？") == []
    assert slot.claimed_values("2019年的条例是不是哪天施行的？") == []
    assert slot.claimed_values("1月底交年报是不是晚了？") == []


def test_unknown_titles_are_named() -> None:
    titles = ["中华人民共和国政府信息公开条例", "条例", "保密法", "中华人民共和国保守国家秘密法"]
    assert scope.unknown_titles("浙江那个《政府信息公开暂行办法》里怎么说？", titles) == [
        "政府信息公开暂行办法"
    ]
    assert scope.unknown_titles("《政府信息公开条例》第三十三条", titles) == []
    assert scope.unknown_titles("《中华人民共和国保守国家秘密法》和《保密法》", titles) == []
    assert scope.unknown_titles("没有书名号的问题", titles) == []


def test_a_document_the_corpus_lacks_is_refused_and_named(offline: Any) -> None:
    answer = ask("《某省政府信息公开实施办法》对延长答复期限有没有额外的审批要求？", offline)
    assert answer.refused and answer.evidence is not None
    assert answer.evidence.unknown_document == "《某省政府信息公开实施办法》"
    assert "语料中没有《某省政府信息公开实施办法》" in answer.answer
    named = ask("《政府信息公开条例》规定不能当场答复的，多少个工作日内答复？", offline)
    assert not named.refused and named.citations[0].key == "[条例 第三十三条]"


def test_a_claimed_value_the_passages_do_not_have_is_refused(offline: Any) -> None:
    answer = ask("出差住宿费一晚上限是不是500元？", offline)
    assert answer.refused and answer.evidence is not None and "500元" in answer.evidence.value_missing
    assert "500元" in answer.answer
    fee = ask("申请人要的材料复印费每页0.5元，是不是按这个收就行？", offline)
    # “不收取费用” answers it; since round 4 the decision refuses it (the question is as near the
    # limit “信息处理费……标准是多少” as to 第四十二条's situations), naming 第四十二条 and that gap
    assert any(c.key == "[条例 第四十二条]" for c in fee.citations) or (
        fee.refused and "[条例 第四十二条]" in fee.answer.splitlines()[0]
    ), fee.answer
    trap = ask("科里老同志说依申请公开15个工作日内答复就行，是这么回事吧？", offline)
    assert not trap.refused and any(c.key == "[条例 第三十三条]" for c in trap.citations)


def test_a_known_gap_makes_a_sure_answer_unsure_and_is_named_in_a_refusal() -> None:
    """The limit nearest the question (corpus/limits) is shown as our note, never as the law."""
    from agent.ask.answer import Evidence, refusal_line, uncertainty_notices, unsure_answer

    gap = "[条例 第三十条]附近未回答的事：“补正到底给几天”——只说合理的补正期限"
    sure = Evidence(
        terms=["补正"], covered=[], missing=[], coverage=0.0, probability=0.95, threshold=0.5, answerable=True
    )
    assert not unsure_answer(sure)
    flagged = sure.model_copy(update={"gap": gap})
    assert unsure_answer(flagged)
    notes = uncertainty_notices(flagged)
    assert any("把握不大" in n for n in notes) and any(gap in n and "不是条文原文" in n for n in notes)
    refused = flagged.model_copy(update={"answerable": False, "probability": 0.1})
    line = refusal_line(refused)
    assert line.startswith("语料中未找到依据") and gap in line and "不是条文原文" in line


def _candidate(doc: str, title: str, text: str) -> Any:
    from agent.ask.citations import Passage
    from agent.ask.features import Candidate

    p = Passage(
        key="[x]",
        document=Path(doc).name,
        doc_id=doc,
        title=title,
        kind="regulation",
        locator="第一条",
        section_path="第一条",
        text=text,
    )
    return Candidate(passage=p)


def test_a_law_named_only_in_the_situation_told_does_not_shut_out_the_tiaoli() -> None:
    tiaoli = _candidate(
        "corpus/regulations/zfxxgk-tiaoli-2019.md", "中华人民共和国政府信息公开条例", "20个工作日"
    )
    dangan = _candidate("corpus/regulations/dangan-fa-2020.md", "中华人民共和国档案法", "二十五年")
    told = "这件申请要翻十几年前的老档案，二十个工作日弄不完。最多能推多久？"
    assert slot.admissible(told, tiaoli) and slot.admissible(told, dangan)
    asked = "移交档案馆的文件，最多能推迟多少年开放？"  # named in the sentence that asks: that law only
    assert slot.admissible(asked, dangan) and not slot.admissible(asked, tiaoli)
    assert not slot.admissible("答复最多能推多久？", dangan)  # named nowhere: no other law
