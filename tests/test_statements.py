"""Statements against the tables and each other (agent/report/statements.py), in `check` too."""

from __future__ import annotations

import pytest
from report_fixtures import NARRATIVES, clean_figures, clean_report_text

from agent.report.checks import check_report
from agent.report.model import InfoFee, Table4
from agent.report.narrative import Sentence
from agent.report.numerals import mentions
from agent.report.parser import parse_report
from agent.report.statements import StatementFacts, statement_findings


def rules_for(sentences: list[str], **facts) -> list[tuple[str, str]]:
    fig = clean_figures()
    base = {"table2": fig.table2, "table3": fig.table3, "table4": fig.table4, "info_fee": None}
    sents = [Sentence(t, "other", i + 1) for i, t in enumerate(sentences)]
    return [(f.rule, f.severity) for f in statement_findings(sents, StatementFacts(**{**base, **facts}))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("平均答复时间缩短至五个工作日", 5),
        ("满意率达到百分之九十八", 98),
        ("访问量突破二十万人次", 200000),
        ("全年发布信息近千条", 1000),
        ("培训三十余人次", 30),
        ("共计3,990,125件", 3990125),
        ("收费1.5万元", 15000),
    ],
)
def test_numbers_in_any_notation(text, value):
    assert [m.value for m in mentions(text)] == [value]


@pytest.mark.parametrize(
    "text", ["一是进一步推进一网通办", "增强四个意识", "依据〔2024〕3号文件第三条", "《2024年工作要点》"]
)
def test_idioms_and_document_numbers_are_no_figures(text):
    assert mentions(text) == []


def test_fee_none_and_an_amount_contradict_each_other():
    assert ("STMT-FEE", "error") in rules_for(
        ["本年度未收取信息处理费。", "本年度收取信息处理费共计三千余元。"]
    )
    assert rules_for(["本年度未收取信息处理费。"]) == []


def test_fee_amount_against_the_fee_data():
    fee = InfoFee(cases=1, amount_yuan=30)
    assert ("STMT-FEE", "error") in rules_for(["本年度收取信息处理费1件，共计三十五元。"], info_fee=fee)
    assert rules_for(["本年度收取信息处理费1件，共计三十元。"], info_fee=fee) == []


def test_admin_fees_against_table_2():
    fig = clean_figures()
    fig.table2.set("art20_8", "admin_fees", "fee_amount", 1.5)
    assert ("STMT-FEE", "error") in rules_for(["本年度未收取行政事业性收费。"], table2=fig.table2)


@pytest.mark.parametrize(
    "claim", ["申请均已办结。", "全部办结。收到的申请全部办结", "所有申请均已按要求办理完成。"]
)
def test_all_done_while_carried_over(claim):
    assert ("STMT-DONE", "error") in rules_for([claim])  # the fixture carries 1 to next year


def test_all_done_is_fine_when_nothing_is_carried():
    fig = clean_figures()
    fig.table3.set("carry_next", "total", 0)
    assert rules_for(["所有申请均已按要求办理完成。"], table3=fig.table3) == []


def test_stated_carry_over_in_words_against_table_3():
    assert ("STMT-DONE", "error") in rules_for(["有两件申请结转下年度继续办理。"])


def test_no_review_while_table_4_has_one_and_the_reverse():
    assert ("STMT-REVIEW", "error") in rules_for(["本年度未发生因政府信息公开引起的行政复议、行政诉讼。"])
    zero = Table4.blank(0)
    assert ("STMT-REVIEW", "error") in rules_for(["因政府信息公开引起行政复议两件。"], table4=zero)
    assert rules_for(["本年度未发生行政复议、行政诉讼。"], table4=zero) == []


def test_uncertain_cell_makes_a_warning_not_an_error():
    class Uncertain(Table4):
        def state(self, group: str, col: str) -> str:
            return "uncertain" if (group, col) == ("review", "total") else "read"

    t4 = Uncertain(cells=clean_figures().table4.cells)
    found = rules_for(["本年度未发生行政复议。"], table4=t4)
    assert found == [("STMT-REVIEW", "warning")]


def test_duplicate_sentence():
    text = "严格执行公开前保密审查制度，做到先审查、后公开。"
    assert ("DUPLICATE", "warning") in rules_for([text, "一是" + text])
    assert rules_for(["无。", "无。"]) == []


def test_check_reports_statements_on_a_human_report():
    narr = {**NARRATIVES, "other": "本年度未收取信息处理费。本年度收取信息处理费共计三千余元。"}
    findings = check_report(parse_report(clean_report_text(narratives=narr), source="r.md"))
    fee = [f for f in findings if f.rule == "STMT-FEE"]
    assert fee and fee[0].location.startswith("六、其他需要报告的事项")


def test_no_double_report_with_narrative_table():
    narr = {**NARRATIVES, "problems": NARRATIVES["problems"] + "全年未发生行政复议。"}
    findings = check_report(parse_report(clean_report_text(narratives=narr), source="r.md"))
    flagged = [f for f in findings if "未发生行政复议" in f.message]
    assert len(flagged) == 1
