"""Coverage of a report against a work-point notice, on the real seeds and on made-up reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from rich.console import Console
from seed_files import seed

from agent.report.reader import read_text
from agent.workpoints.coverage import Coverage, coverage, coverage_files
from agent.workpoints.coverage_output import (
    coverage_json,
    coverage_table,
    print_coverage,
    write_coverage_xlsx,
)
from agent.workpoints.requirements import Notice, parse_notice

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval" / "requirements"

# A 落实情况 report on seed 002: addresses some items (one quantity below the requirement),
# leaves out 一（二） 二（四） 三（一） 四（一） 四（四） 五（三）.
REPORT = """上海市民族和宗教事务局关于2022年政务公开工作要点落实情况的报告

一、疫情防控信息公开

我局严格执行疫情防控信息发布要求，全年在门户网站发布宗教活动场所疫情防控相关信息86条，及时回应社会关切。

二、规范性文件动态公开

在门户网站政务公开专栏动态更新本局现行有效的规范性文件12件，并建立了民族宗教系统规范性文件库。

三、重大行政决策公众参与

制定并发布本局重大行政决策事项目录，列入目录的2项决策事项均在决策前将决策草案、决策依据上网公开，广泛听取公众意见。

四、平台建设

落实网络意识形态责任制，门户网站和政务微博微信平台全年安全平稳运营。9月底，门户网站完成改造，已支持IPv6访问。

五、组织领导和培训

局主要领导全年听取政务公开工作汇报2次，研究部署政务公开重点工作。组织政务公开分管领导和工作人员参加轮训学习1次。受疫情影响，年内邀请各区民族宗教工作部门参加本单位政务公开年度培训0次。
"""
OMITTED = ("一（二）", "二（四）", "三（一）", "四（一）", "四（四）", "五（三）")


@pytest.fixture(scope="module")
def n002() -> Notice:
    return parse_notice(read_text(seed("002")), source="002")


@pytest.fixture(scope="module")
def cov(n002: Notice) -> Coverage:
    return coverage(REPORT, n002, source="made-up")


def item(c: Coverage, rid: str):  # type: ignore[no-untyped-def]
    found = c.get(rid)
    assert found is not None, rid
    return found


# --------------------------------------------------------------------------- the made-up report


def test_statuses(cov: Coverage) -> None:
    for rid in ("一（一）", "二（一）", "二（三）", "三（二）"):
        assert item(cov, rid).status == "addressed", rid
    for rid in ("五（一）", "五（二）"):
        assert item(cov, rid).status == "partly", rid
    for rid in OMITTED:
        assert item(cov, rid).status == "not_addressed", rid
        assert item(cov, rid).evidence == [] and item(cov, rid).score == 0


def test_evidence_has_sentences_and_lines(cov: Coverage) -> None:
    ev = item(cov, "二（三）").evidence[0]
    assert ev.line == 13 and ev.text.startswith("制定并发布本局重大行政决策事项目录")
    assert ev.location == "第13行"
    ipv6 = item(cov, "三（二）").obligations[2]
    assert ipv6.obligation.deadline == "年底前"
    assert ipv6.evidenced and ipv6.satisfied and ipv6.evidence is not None
    assert ipv6.evidence.line == 17 and "IPv6" in ipv6.evidence.text


def test_quantity_satisfied(cov: Coverage) -> None:
    (check,) = item(cov, "五（一）").obligations
    assert check.evidenced and check.satisfied is True and check.found == "2次"
    assert "满足要求" in check.note and "至少1次" in check.note


def test_quantity_below_requirement_is_said_explicitly(cov: Coverage) -> None:
    rotation, invite = item(cov, "五（二）").obligations
    assert rotation.satisfied is True and rotation.found == "1次"
    assert invite.evidenced and invite.satisfied is False and invite.found == "0次"
    assert "低于要求" in invite.note and "至少1次" in invite.note and "未达到" in invite.note
    assert invite.mark == "✗"


def test_not_yet_and_chinese_numbers(n002: Notice) -> None:
    text = (
        "我局门户网站IPv6改造工作尚在推进中，计划明年上半年完成。\n\n"
        "局党组书记、局长两次听取政务公开工作专题汇报。\n\n"
        "全年组织政务公开业务培训一次，分管领导和全体工作人员参加。"
    )
    c = coverage(text, n002)
    ipv6 = item(c, "三（二）").obligations[2]
    assert ipv6.evidenced and ipv6.satisfied is False and "尚未完成" in ipv6.note
    (lead,) = item(c, "五（一）").obligations
    assert lead.satisfied is True and lead.found == "两次"
    rotation, invite = item(c, "五（二）").obligations
    assert rotation.satisfied is True and rotation.found == "一次"
    assert not invite.evidenced  # one sentence counts for one quantity only


def test_titles_only_report_is_not_addressed(n002: Notice) -> None:
    text = (EVAL / "report_002_titles_only.txt").read_text(encoding="utf-8")
    c = coverage(text, n002)
    assert c.counts()["addressed"] == 0
    assert c.counts()["partly"] >= 5  # the titles are seen, the content is missing


def test_empty_report(n002: Notice) -> None:
    c = coverage("| 表格 | 1 |\n", n002)
    assert c.warnings and all(i.status == "not_addressed" for i in c.items)


# --------------------------------------------------------------------------- the real seeds


def test_000_against_notice_from_its_own_headings() -> None:
    c = coverage_files(seed("000"), EVAL / "notice_000_headings.txt")
    assert len(c.items) == 12
    assert c.counts()["addressed"] >= 11
    assert item(c, "五（三）").evidence[0].line == 39  # “回头看”
    lead = item(c, "五（一）").obligations[0]
    assert lead.satisfied is True and lead.found == "多次"


def test_000_against_002_is_mostly_not_addressed() -> None:
    c = coverage_files(seed("000"), seed("002"))
    counts = c.counts()
    assert counts["addressed"] <= 2 and counts["not_addressed"] >= 7
    for rid in ("二（三）", "二（四）", "三（二）", "五（三）"):
        assert item(c, rid).status == "not_addressed", rid
    assert all(not ch.evidenced for ch in item(c, "三（二）").obligations)  # no IPv6 in 开封's report


def test_annual_report_against_002_names_its_section(n002: Notice) -> None:
    c = coverage(read_text(seed("004")), n002, source="004")
    training = item(c, "五（二）")
    assert training.status in ("partly", "addressed")
    assert any(e.line == 14 and e.location == "一、总体情况 第14行" for e in training.evidence)
    assert item(c, "二（四）").status == "not_addressed"


def test_labelled_eval_cases() -> None:
    """The calibration cases of eval/requirements/ (two of them held out) keep their agreement."""
    data = yaml.safe_load((EVAL / "cases.yaml").read_text(encoding="utf-8"))
    agree = total = 0
    for case in data["cases"]:
        paths = [seed(v[5:]) if v.startswith("seed:") else EVAL / v for v in (case["notice"], case["report"])]
        c = coverage(read_text(paths[1]), parse_notice(read_text(paths[0])))
        labels = case.get("labels") or {}
        default = {"status": case.get("default", ["not_addressed"])}
        for i in c.items:
            allowed = labels.get(i.requirement.id, default)["status"]
            agree += i.status in allowed
            total += 1
    assert total == 110
    assert agree / total >= 0.97


# --------------------------------------------------------------------------- renderings


def test_table_json_xlsx(cov: Coverage, tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    print_coverage(console, cov)
    text = console.export_text()
    for word in ("已落实", "部分落实", "未体现", "✓", "✗", "第13行"):
        assert word in text
    assert "报告为0次，低于要求" in text
    assert coverage_table(cov).row_count == 14

    data = json.loads(coverage_json(cov))
    assert data["summary"] == cov.counts()
    first = data["items"][0]
    assert {"id", "title", "status", "status_cn", "score", "evidence", "obligations"} <= set(first)
    five_two = next(i for i in data["items"] if i["id"] == "五（二）")
    assert [o["satisfied"] for o in five_two["obligations"]] == [True, False]

    path = tmp_path / "对照.xlsx"
    write_coverage_xlsx(cov, path)
    wb = load_workbook(path)
    ws = wb["覆盖情况"]
    assert [c.value for c in ws[1]][:3] == ["编号", "事项", "落实情况"] and ws["A1"].font.bold
    assert ws.max_row == 15 and ws["C2"].value == "已落实"
    obs = list(wb["可核查要求"].iter_rows(min_row=2, values_only=True))
    assert len(obs) == 8
    assert any(r[0] == "五（二）" and r[5] == "否" and "低于要求" in r[7] for r in obs)


def test_jieba_loads_quietly() -> None:
    code = "from agent.workpoints.terms import tokens; print(len(tokens('门户网站支持互联网协议第6版')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() != "0" and done.stderr == ""
