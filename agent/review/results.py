"""One report's check result as a JSON-ready dict: what ``check --format json`` says, plus cells.

    data = check_file(Path("某局2024年报.pdf"), previous=Path("某局2023年报.pdf"))
    data["summary"]        # {"error": 2, "warning": 1, "info": 0}
    data["tables"]         # every cell: label, column, value, state, location (agent.report.table_output)
    data["findings"][0]    # {"rule", "severity", "message", "location", "section", "key"}

The dict starts from :func:`agent.report.findings_output.findings_json` (so it says what the
command line says) and adds the document's name and digest (the key of the reviewer's marks),
the cells, a stable ``key`` per finding, and — when last year's report is given — the
copied-narrative finding of :mod:`agent.review.similarity` (rule ``NARRATIVE-COPY``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from agent.report.checks import check_cross_year, check_report
from agent.report.findings_output import findings_json
from agent.report.model import AnnualReport, Finding
from agent.report.reader import read_report
from agent.review.cells import ensure_cells
from agent.review.similarity import COPY_THRESHOLD, copied_sections

COPY_RULE = "NARRATIVE-COPY"
COPY_SUMMARY = f"正文与上年报告同一部分高度雷同（相同文字占比不低于{COPY_THRESHOLD:.0%}）"
SEVERITIES = ("error", "warning", "info")


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def finding_key(f: dict[str, Any]) -> str:
    """Stable id of a finding within a report (rule, location and message)."""
    raw = "\x1f".join(str(f.get(k) or "") for k in ("rule", "location", "message"))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def copy_findings(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    out = []
    for s in copied_sections(report, previous):
        where = "全文" if s.section == "全文" else s.heading
        year = f"{previous.year}年度" if previous.year else "上年"
        out.append(
            Finding(
                rule=COPY_RULE,
                severity="warning",
                message=f"“{where}”与{year}报告的同一部分相同文字占{s.score:.0%}"
                f"（{s.chars}字），可能照搬了上年报告，请核实是否如实反映本年度工作",
                location=where,
                section=None if s.section == "全文" else s.section,
            )
        )
    return out


def year_findings(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    """The cross-year rules and the copied-narrative flag against last year's report."""
    return check_cross_year(report, previous) + copy_findings(report, previous)


def result_dict(
    report: AnnualReport,
    findings: list[Finding],
    *,
    name: str,
    digest: str = "",
    previous: AnnualReport | None = None,
    previous_name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(findings_json(report, findings))
    data["report"]["source"] = name
    ensure_cells(data, report)
    for f in data["findings"]:
        f["key"] = finding_key(f)
    data["document"] = {"name": name, "sha256": digest}
    data["previous"] = (
        {"name": previous_name or previous.source, "agency": previous.agency, "year": previous.year}
        if previous is not None
        else None
    )
    data["rules"] = sorted({f["rule"] for f in data["findings"]})
    return data


def check_file(
    path: Path,
    previous: Path | None = None,
    *,
    name: str | None = None,
    previous_name: str | None = None,
    agency: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Read and check one report (and last year's, when given). Raises InputError when unreadable."""
    report = read_report(path, agency=agency, year=year)
    prev = read_report(previous) if previous else None
    findings = check_report(report)
    if prev is not None:
        findings += year_findings(report, prev)
    return result_dict(
        report,
        findings,
        name=name or Path(path).name,
        digest=file_digest(path),
        previous=prev,
        previous_name=previous_name or (Path(previous).name if previous else None),
    )


def counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.get("severity") == s) for s in SEVERITIES}
