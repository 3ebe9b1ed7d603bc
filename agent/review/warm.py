"""Imported by the batch's fork server: loads and warms what checking a report needs, once.

The first check in a fresh process costs about 0.7 s (place and agency name tables, the
section and table parsers); the fork server imports this module once, and every worker it
forks starts warm. Importing it checks a tiny built-in report and has no other effect.
"""

from __future__ import annotations

from agent.report.checks import check_report
from agent.report.parser import parse_report

_SAMPLE = "某县某局2024年政府信息公开工作年度报告\n一、总体情况\n2024年，本局依法公开政府信息。\n"

check_report(parse_report(_SAMPLE, source="warm-up"))
