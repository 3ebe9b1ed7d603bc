"""Notes as people write them (eval/cases/data/styles): sorted into their parts, drafted clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.draft.notes import load_notes, parse_notes
from agent.draft.pipeline import draft_report
from agent.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "cases" / "data"
STYLES = {
    "one-heading": "sample-2024.yaml",
    "prose": "styles/huzhou-2024.yaml",
    "numbered": "styles/ningxiang-2025.yaml",
    "yishi": "sample-2024.yaml",
    "wrong-sections": "sample-2024.yaml",
    "terse": "sample-2024.yaml",
}
FRONT = "---\n机关: 示例县民族宗教事务局\n年度: 2024\n---\n"


def parts(text: str) -> list[tuple[str, str]]:
    return [(b.part, b.text) for b in parse_notes(FRONT + text).bullets]


def test_prefixes_win_over_the_heading():
    got = parts(
        "# 存在的主要问题及改进情况\n- 问题：解读形式单一\n- 改进：开展图解解读\n- 上年问题整改：建立周报制度\n"
    )
    assert got == [
        ("problems", "解读形式单一"),
        ("improvements", "开展图解解读"),
        ("last_year", "建立周报制度"),
    ]
    got = parts("# 总体情况\n## 主动公开\n- 问题：栏目更新不及时\n- 下一步：完善栏目\n")
    assert got == [("problems", "栏目更新不及时"), ("improvements", "完善栏目")]


def test_a_section_heading_places_bullets_by_their_words():
    got = parts(
        "# 总体情况\n- 收到申请3件\n- 组织培训2次\n- 公众号发布信息9条\n# 问题和改进\n- 解读少\n- 多解读\n"
    )
    assert [p for p, _ in got] == ["requests", "oversight", "platform", "problems", "improvements"]


def test_prose_is_cut_into_sentences_that_stay_with_their_cue():
    got = parts(
        "# 总体情况\n依申请公开方面，全年收到申请9件。申请人主要关心场所审批。\n\n信息管理上，严格执行保密审查。\n"
    )
    assert [p for p, _ in got] == ["requests", "requests", "management"]


def test_yishi_in_one_bullet_becomes_several():
    got = parts("# 总体情况\n## 主动公开\n- 一是发布信息218条；二是公开预算决算\n")
    assert got == [("proactive", "发布信息218条"), ("proactive", "公开预算决算")]


def test_plain_headings_without_hash():
    got = parts(
        "一、总体情况\n（一）主动公开方面：发布信息173条。\n二、存在的问题和改进措施\n存在问题：信息公开深度不够。\n"
    )
    assert got == [("proactive", "发布信息173条。"), ("problems", "信息公开深度不够。")]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_offline_draft_of_each_style_checks_clean(style, tmp_path, shared_index):
    notes = DATA / "styles" / f"{style}-notes.md"
    result = draft_report(
        notes, DATA / STYLES[style], tmp_path, load_settings(index_path=shared_index, offline=True)
    )
    errors = [(f.rule, f.message) for f in result.findings if f.severity == "error"]
    text = result.files["draft.md"].read_text(encoding="utf-8")
    if style == "terse":  # the notes say nothing on 信息管理: that, and only that, is marked
        assert [r for r, _ in errors] == ["PLACEHOLDER"] and "【待补充：政府信息管理情况" in text
    else:
        assert errors == [] and "【待补充" not in text
    assert not [f for f in result.findings if f.rule in ("DUPLICATE", "ENUM-GAP")]
    assert len(load_notes(notes).bullets) >= 6
