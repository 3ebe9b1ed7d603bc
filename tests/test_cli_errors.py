"""The error boundary: every command turns every exception into one sentence and an exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.cli import app

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "examples" / "report-2023.md"
runner = CliRunner()


def _callbacks(t: typer.Typer):
    for c in t.registered_commands:
        yield c.name or c.callback.__name__, c.callback
    for g in t.registered_groups:
        yield from _callbacks(g.typer_instance)


def test_every_command_is_inside_the_error_boundary():
    found = dict(_callbacks(app))
    assert {"check", "tables", "template", "draft", "ask", "ingest", "search", "requirements"} <= set(found)
    unwrapped = [name for name, cb in found.items() if not getattr(cb, "__friendly__", False)]
    assert unwrapped == []


def test_a_fault_of_the_program_exits_3_without_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("agent.report.checks.check_report", broken)
    result = runner.invoke(app, ["check", str(REPORT)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output and "程序内部错误" in result.output
    assert "REPORT_AGENT_DEBUG=1" in result.output
    monkeypatch.setenv("REPORT_AGENT_DEBUG", "1")
    result = runner.invoke(app, ["check", str(REPORT)])
    assert result.exit_code == 3 and "Traceback" in result.output and "ZeroDivisionError" in result.output


def test_an_os_error_names_the_file(monkeypatch, tmp_path):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "t.md"))

    monkeypatch.setattr("agent.figures.render.write_tables", denied)
    result = runner.invoke(
        app, ["tables", str(ROOT / "examples" / "figures-2024.yaml"), "-o", str(tmp_path / "t.md")]
    )
    assert result.exit_code == 2 and "t.md" in result.output and "没有权限" in result.output


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ('llm_timeout = "fast"\n', ("llm_timeout", "fast", "数字")),
        ("cache = 3.5\n", ("cache", "true 或 false")),
        ('[report-agent]\nllm_max_retries = "many"\n', ("llm_max_retries", "整数")),
        ('report-agent = "x"\n', ("[report-agent]",)),
    ],
)
def test_a_config_file_with_a_wrong_type_gets_a_clear_message(tmp_path, monkeypatch, config, words):
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    monkeypatch.setenv("REPORT_AGENT_CONFIG", str(path))
    result = runner.invoke(app, ["ask", "年报什么时候公布", "--offline"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "config.toml" in result.output and all(w in result.output for w in words)


def test_an_environment_variable_with_a_wrong_type_is_named(monkeypatch):
    monkeypatch.setenv("REPORT_AGENT_LLM_TIMEOUT", "soon")
    result = runner.invoke(app, ["ask", "年报什么时候公布", "--offline"])
    assert result.exit_code == 2 and "环境变量 REPORT_AGENT_LLM_TIMEOUT" in result.output


@pytest.mark.parametrize(
    ("name", "hint"), [("items.doc", ".xlsx"), ("items.docx", ".xlsx"), ("items.xls", ".xlsx")]
)
def test_requirements_refuses_an_output_it_cannot_write(tmp_path, name, hint):
    notice = ROOT / "corpus" / "seeds" / "002_80d2bd772b55b8ef.txt"
    result = runner.invoke(app, ["requirements", str(notice), "-o", str(tmp_path / name)])
    assert result.exit_code == 2 and name in result.output and hint in result.output
    assert list(tmp_path.iterdir()) == []


def test_markup_like_file_names_are_printed_as_they_are(tmp_path):
    out = tmp_path / "统计[/x].md"
    result = runner.invoke(app, ["tables", str(ROOT / "examples" / "figures-2024.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "统计[/x].md" in result.output and out.is_file()
