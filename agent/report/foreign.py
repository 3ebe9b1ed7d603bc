"""FOREIGN-AGENCY: names of other places and agencies in a report's text."""

from __future__ import annotations

import functools

from agent.report.labels import SECTIONS
from agent.report.model import AnnualReport, Finding, make_finding
from agent.report.narrative import preamble_sentences, report_sentences
from agent.resources import corpus_dir
from agent.yamlfile import load_yaml


@functools.cache
def known_agencies() -> tuple[str, ...]:
    """Agency names seen in the bundled corpus (its manifest), used as foreign candidates.

    Read from the manifest file itself: the report stage does not depend on the corpus stage.
    """
    data = load_yaml(corpus_dir() / "manifest.yaml", "语料清单") or {}
    names: list[str] = []
    for entry in data.get("documents", []):
        agency = entry.get("agency")
        if agency and entry.get("kind") != "regulation" and agency not in names:
            names.append(str(agency))
    return tuple(names)


def foreign_name_findings(report: AnnualReport, extra_agencies: tuple[str, ...] = ()) -> list[Finding]:
    from agent.report.names import find_foreign_names, own_identity

    own = report.title or report.agency or ""
    identity = own_identity(own, "\n".join(report.lines))
    agencies = (*known_agencies(), *extra_agencies)
    out: list[Finding] = []
    keys = tuple(s.key for s in SECTIONS)
    for sent in [*preamble_sentences(report), *report_sentences(report, keys)]:
        if report.title and sent.text.replace(" ", "") == report.title:
            continue
        seen: set[str] = set()
        for hit in find_foreign_names(sent.text, identity, agencies):
            if hit.name in seen:
                continue
            seen.add(hit.name)
            out.append(
                make_finding(
                    "FOREIGN-AGENCY",
                    f"出现其他{'机关' if hit.kind == 'agency' else '地方'}的名称“{hit.name}”（{hit.reason}）：{sent.quote}",
                    sent.location(),
                    sent.section,
                )
            )
    return out
