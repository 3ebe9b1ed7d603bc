"""`draft --kind implementation`: a 落实情况的报告 answering seed 002 item by item."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from llm_server import Reply
from typer.testing import CliRunner

from agent.cli import app
from agent.draft.implementation import draft_implementation, match_requirement, parse_impl_notes
from agent.settings import load_settings
from agent.workpoints.requirements import read_notice

NOTICE = next((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("002_*.txt"))
NOTES = """---
机关: 示例县民族宗教事务局
年度: 2022
---
# 一（一） 疫情防控信息公开
- 宗教活动场所疫情防控信息在门户网站专栏发布 24 条
# 规范性文件动态公开
- 规范性文件库于 9 月上线，收录现行有效文件 4 件
# 三（二）
- 门户网站于 11 月完成 IPv6 改造
# 领导和协调机制
- 局长办公会 2 次听取政务公开工作汇报
# 一个对不上的标题
- 开展民族团结进步宣传月活动
# 下一步工作打算
- 加强政策解读
"""
runner = CliRunner()


@pytest.fixture
def notes_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    return path


def test_headings_match_items_by_id_or_title():
    notice = read_notice(NOTICE)
    notes = parse_impl_notes(NOTES, notice)
    assert sorted(notes.items) == ["一（一）", "三（二）", "二（一）", "五（一）"]
    assert [b.text for b in notes.next_steps] == ["加强政策解读"]
    assert [b.text for b in notes.unmatched] == ["开展民族团结进步宣传月活动"]
    assert any("一个对不上的标题" in w for w in notes.warnings)
    assert match_requirement("四（四）平台维护", notice).id == "四（四）"  # type: ignore[union-attr]


def test_offline_implementation_draft(tmp_path, notes_file):
    settings = load_settings(offline=True)
    result = draft_implementation(notes_file, NOTICE, tmp_path / "out", settings)
    text = result.files["draft.md"].read_text(encoding="utf-8")
    assert text.startswith("# 示例县民族宗教事务局关于2022年政务公开工作要点落实情况的报告")
    assert "## 一、工作开展情况" in text and "## 二、下一步工作打算" in text
    assert "2、进一步强化政务公开平台建设。门户网站于11月完成" in text
    assert "局长办公会2次听取政务公开工作汇报" in text and "此外，开展民族团结进步宣传月活动。" in text
    pending = re.findall(r"【待补充：第(.+?)项的落实情况】", text)
    assert "四（四）" in pending and "三（二）" not in pending and len(pending) == 14 - 4
    check = json.loads(result.files["draft.check.json"].read_text(encoding="utf-8"))
    assert {f["rule"] for f in check["findings"]} == {"PLACEHOLDER"}
    statuses = {i["id"]: i["status"] for i in check["coverage"]["items"]}
    assert statuses["四（四）"] == "not_addressed"
    assert any("四（三）缺失" in w for w in check["warnings"])
    assert result.files["draft.docx"].stat().st_size > 0


def test_llm_item_with_invented_number_is_repaired(tmp_path, notes_file, llm_server):
    def handler(req):
        user = next(m["content"] for m in req.messages if m["role"] == "user")
        bullets = re.findall(r"^B\d+\. (.+)$", user, flags=re.M)
        text = "；".join(bullets) + "。"
        if "没有依据" in req.last_user_message:
            return text
        if "第五（一）项" in user:
            return text + "全年共召开会议37次。"
        return Reply.thinking(text)

    llm_server.handler = handler
    settings = load_settings(base_url=llm_server.base_url, model="test-model", llm_max_retries=0)
    result = draft_implementation(notes_file, NOTICE, tmp_path / "out", settings)
    assert result.mode == "llm" and result.fallbacks == []
    text = result.files["draft.md"].read_text(encoding="utf-8")
    assert "37次" not in text and "门户网站于 11 月完成 IPv6 改造" in text
    assert llm_server.count() == 4 + 1


def test_cli_needs_the_notice_for_implementation(tmp_path, notes_file):
    result = runner.invoke(
        app, ["draft", str(notes_file), "--kind", "implementation", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "--requirements" in result.output
    ok = runner.invoke(
        app,
        [
            "draft",
            str(notes_file),
            "--kind",
            "implementation",
            "-r",
            str(NOTICE),
            "-o",
            str(tmp_path / "o"),
            "--offline",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "o" / "draft.md").is_file()


def test_check_against_notice_prints_a_coverage_matrix(tmp_path):
    seed000 = next(NOTICE.parent.glob("000_*.txt"))
    result = runner.invoke(app, ["check", str(seed000), "--against", str(NOTICE), "--format", "json"])
    data = json.loads(result.output)
    items = {i["id"]: i["status"] for i in data["coverage"]["items"]}
    assert len(items) == 14 and items["三（二）"] == "not_addressed"
