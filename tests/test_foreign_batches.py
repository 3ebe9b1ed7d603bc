"""Foreign names are scanned many sentences at a time; the findings must be exactly those of a
scan of each sentence alone (names, reasons, 《title》 spans and places never cross sentences)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.report import foreign
from agent.report.foreign import foreign_name_findings, known_agencies
from agent.report.labels import SECTIONS
from agent.report.model import make_finding
from agent.report.names import find_foreign_names, own_identity
from agent.report.narrative import preamble_sentences, report_sentences
from agent.report.parser import parse_report
from agent.report.places import SENTENCE_GAP

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "report-2023.md"
EXTRA = (
    "\n\n我局收到《上海市政府信息公开规定\n》一份。我局参照《北京市政府信息公开规定》办理。另见《重庆市。规定》。上海市浦东新区民政局来我局交流；"
    "定西市安定区人民政府办公室、北京市海淀区的做法值得借鉴。又见上海市浦东新区民政局。"
    f"《关于{SENTENCE_GAP}北京市的通知》已转发。杭州市西湖区教育局\n\n"
)


def _report(title: str):  # type: ignore[no-untyped-def]
    text = EXAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
    cut = text.index("## 二、")
    return parse_report(f"# {title}\n{text[:cut]}{EXTRA}{text[cut:]}", source="r.md")


def _one_by_one(report) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """The findings as a scan of each sentence alone gives them."""
    identity = own_identity(report.title or "", "\n".join(report.lines))
    out = []
    for sent in [*preamble_sentences(report), *report_sentences(report, tuple(s.key for s in SECTIONS))]:
        if report.title and sent.text.replace(" ", "") == report.title:
            continue
        seen: set[str] = set()
        for hit in foreign._outermost(list(find_foreign_names(sent.text, identity, known_agencies()))):
            if hit.name not in seen:
                seen.add(hit.name)
                if hit.in_document_title and foreign._openly_cited(sent.text, hit.start):
                    continue  # a document the report says it applies or forwards
                kind = "机关" if hit.kind == "agency" else "地方"
                message = f"出现其他{kind}的名称“{hit.name}”（{hit.reason}）：{sent.quote}"
                severity = "warning" if hit.in_document_title else None
                finding = make_finding(
                    "FOREIGN-AGENCY", message, sent.location(), sent.section, severity=severity
                )
                out.append(finding.model_dump())
    if not identity.places:  # the info that the text's place names could not be judged
        sents = [*preamble_sentences(report), *report_sentences(report, tuple(s.key for s in SECTIONS))]
        sents = [x for x in sents if not (report.title and x.text.replace(" ", "") == report.title)]
        out += [f.model_dump() for f in foreign._places_not_checked(identity.agency, sents)]
    return out


@pytest.mark.parametrize("batch", [1, 2, 3, 256])
@pytest.mark.parametrize(
    "title",
    [
        "示例县民族宗教事务局2023年政府信息公开工作年度报告",
        "甘肃省定西市安定区民政局2023年政府信息公开工作年度报告",
        "上海市浦东新区民政局2023年政府信息公开工作年度报告",
    ],
)
def test_batched_scan_equals_one_sentence_at_a_time(
    monkeypatch: pytest.MonkeyPatch, batch: int, title: str
) -> None:
    monkeypatch.setattr(foreign, "BATCH", batch)
    report = _report(title)
    expected = _one_by_one(report)
    assert len(expected) >= 3  # the case has foreign names to find
    assert [f.model_dump() for f in foreign_name_findings(report)] == expected


def test_a_title_cut_by_a_sentence_end_is_no_title() -> None:
    report = _report("甘肃省定西市安定区民政局2023年政府信息公开工作年度报告")
    messages = [f.message for f in foreign_name_findings(report)]
    shanghai = [m for m in messages if "“上海市”" in m]
    chongqing = [m for m in messages if "“重庆市”" in m]
    assert shanghai and all("在文件名称《上海市政府信息公开规定》中" in m for m in shanghai)
    assert chongqing and not any("在文件名称" in m for m in chongqing)  # 《重庆市。 … 》 spans two sentences
    assert not any("北京市政府信息公开规定" in m for m in messages)  # a document the report says it applies


def test_a_name_inside_a_longer_name_is_not_reported_again() -> None:
    report = _report("示例县民族宗教事务局2023年政府信息公开工作年度报告")
    quoted = [f for f in foreign_name_findings(report) if "“上海市浦东新区民政局来我局交流；" in f.message]
    assert [
        m for f in quoted for m in ("上海市浦东新区民政局", "浦东新区民政局") if f"名称“{m}”" in f.message
    ] == ["上海市浦东新区民政局"]
