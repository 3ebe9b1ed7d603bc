"""Work-point notices as requirement lists: seed 002 (numbering gap), seed 000 (lost numbers), CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from seed_files import seed
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import InputError
from agent.report.reader import read_text
from agent.workpoints.requirements import Notice, cn_to_int, parse_notice, read_notice
from agent.workpoints.requirements_output import (
    requirements_text,
    requirements_to_json,
    write_requirements_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

IDS_002 = [
    "一（一）",
    "一（二）",
    "二（一）",
    "二（二）",
    "二（三）",
    "二（四）",
    "三（一）",
    "三（二）",
    "四（一）",
    "四（二）",
    "四（四）",
    "五（一）",
    "五（二）",
    "五（三）",
]


@pytest.fixture(scope="module")
def n002() -> Notice:
    return parse_notice(read_text(seed("002")), source="002")


@pytest.fixture(scope="module")
def n000() -> Notice:
    return parse_notice(read_text(seed("000")), source="000")


# --------------------------------------------------------------------------- seed 002


def test_002_items_in_order_keep_printed_ids(n002: Notice) -> None:
    assert [r.id for r in n002.requirements] == IDS_002  # 四（四） kept, nothing renumbered
    assert all(r.numbered for r in n002.requirements)


def test_002_gap_is_reported(n002: Notice) -> None:
    gaps = [w for w in n002.warnings if "缺失" in w]
    assert len(gaps) == 1
    assert gaps[0].startswith("四（三）缺失：（二）之后是（四）") and "第33行" in gaps[0]


def test_002_header(n002: Notice) -> None:
    assert n002.title == "2022年上海市民族和宗教事务局政务公开工作要点"
    assert n002.agency == "上海市民族和宗教事务局"
    assert n002.year == 2022


def test_002_item_fields(n002: Notice) -> None:
    r = n002.get("三（二）")
    assert r is not None
    assert r.parent == "三、加强平台建设 提高公开质量"
    assert r.title == "进一步强化政务公开平台建设"
    assert r.line == 25
    assert r.text.startswith("进一步强化政务公开平台建设。严格落实网络意识形态责任制")
    last = n002.get("五（三）")
    assert last is not None and "附件" not in last.text and ".pdf" not in last.text  # tail cut off


def test_002_ipv6_deadline(n002: Notice) -> None:
    r = n002.get("三（二）")
    assert r is not None
    ipv6 = [o for o in r.obligations if "互联网协议第6版" in o.text]
    assert len(ipv6) == 1
    o = ipv6[0]
    assert o.text == "在今年年底前，要实现门户网站支持互联网协议第6版"
    assert o.kind == "deadline" and o.deadline == "年底前"
    assert o.number is None  # 第6版 is an ordinal, not a quantity
    assert o.line == 25


def test_002_quantities(n002: Notice) -> None:
    quantities = [(r.id, o) for r in n002.requirements for o in r.obligations if o.kind == "quantity"]
    assert [(rid, o.text) for rid, o in quantities] == [
        ("五（一）", "主要领导年内至少听取1次政务公开工作汇报"),
        ("五（二）", "确保政务公开分管领导和工作人员年内轮训学习1次"),
        ("五（二）", "年内邀请各区民族宗教工作部门参加本单位政务公开年度培训不少于1次"),
    ]
    for _, o in quantities:
        assert (o.number, o.unit, o.comparator, o.period) == (1, "次", ">=", "年内")
        assert o.describe() == "至少1次（年内）"


def test_002_obligations_are_conservative(n002: Notice) -> None:
    found = {(r.id, o.kind, o.text) for r in n002.requirements for o in r.obligations}
    assert ("二（三）", "action", "均应在决策前，将决策草案、决策依据上网公开") in found
    assert ("三（二）", "action", "严格落实网络意识形态责任制") in found
    assert ("四（四）", "action", "每日查看处理待办事项") in found
    assert len(found) == 8
    texts = " ".join(t for _, _, t in found)
    # soft or vague duties are not obligations
    for vague in (
        "要及时做好多元化的解读",
        "要进一步细化公开标准目录编制",
        "严格执行疫情防控信息发布各项工作要求",
    ):
        assert vague not in texts
    assert "12345" not in texts  # a hotline number is no quantity


# --------------------------------------------------------------------------- seed 000: lost numbers


def test_000_headings_without_numbers_are_inferred_and_reported(n000: Notice) -> None:
    ids = [r.id for r in n000.requirements]
    assert ids[:3] == ["一（一）1", "一（一）2", "一（一）3"]
    assert "一（二）1" in ids and "一（四）" in ids and "二、3" in ids
    r = n000.get("一（二）1")
    assert r is not None and r.parent == "加强政策发布解读" and r.title == "加强重要政策解读"
    lone = n000.get("一（四）")
    assert lone is not None and not lone.numbered and lone.title == "提高依申请公开工作质量"
    inferred = [w for w in n000.warnings if "没有编号" in w]
    assert "第17行“加强政策发布解读”没有编号，按位置推定为一（二）" in inferred
    assert any(w.startswith("第5行“工作开展情况”") and w.endswith("推定为一") for w in inferred)
    assert len(inferred) == 5


# --------------------------------------------------------------------------- other numbering styles


def test_arabic_numbered_notice_with_fullwidth_and_gap() -> None:
    text = (
        "某县民族宗教局2023年政务公开工作要点\n\n"
        "1. 做好政策解读。重要政策文件应当同步发布解读材料。\n"
        "2、 推进政府开放日活动。年内至少举办两场政府开放日活动。\n"
        "4．加强培训。6月底前完成全体工作人员轮训。\n"
    )
    n = parse_notice(text)
    assert [r.id for r in n.requirements] == ["1", "2", "4"]
    assert any(w.startswith("3缺失：2之后是4") for w in n.warnings)
    assert n.agency == "某县民族宗教局" and n.year == 2023
    (q,) = n.requirements[1].obligations
    assert (q.kind, q.number, q.unit, q.comparator, q.period) == ("quantity", 2, "场", ">=", "年内")
    (d,) = n.requirements[2].obligations
    assert d.kind == "deadline" and d.deadline == "6月底前"
    (a,) = n.requirements[0].obligations
    assert a.kind == "action" and a.modal == "应当"


def test_markdown_notice_dates_are_deadlines_not_quantities() -> None:
    text = (
        "# 2023年某市民族宗教局政务公开工作要点\n\n## 一、深化公开\n\n"
        "**（一）做好规范性文件公开。** 9月30日前完成现行有效规范性文件清理。办理时限为20个工作日内。\n\n"
        "**(二)推进开放日。** 全年举办政府开放日活动不少于2次。\n"
    )
    n = parse_notice(text)
    assert [r.id for r in n.requirements] == ["一（一）", "一（二）"]
    assert n.requirements[0].title == "做好规范性文件公开" and n.requirements[0].parent == "一、深化公开"
    deadline, limit = n.requirements[0].obligations
    assert (deadline.kind, deadline.deadline, deadline.number) == ("deadline", "9月30日前", None)
    assert deadline.text == "9月30日前完成现行有效规范性文件清理"
    assert (limit.kind, limit.number, limit.unit, limit.comparator) == ("quantity", 20, "个工作日", "<=")


def test_docx_notice_reads_like_the_txt(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in read_text(seed("002")).split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "要点.docx"
    document.save(str(path))
    notice = read_notice(path)
    assert [r.id for r in notice.requirements] == IDS_002
    assert notice.source == str(path)


def test_nested_arabic_under_fullwidth_and_duplicates() -> None:
    text = (
        "工作要点\n一、公开\n（一）平台\n1. 每月更新目录。\n2. 确保网站安全运行。\n（一）重复的编号\n二、保障\n"
        "（一）监督。开展评议。\n"
    )
    n = parse_notice(text)
    assert [r.id for r in n.requirements] == ["一（一）1", "一（一）2", "一（一）@6", "二（一）"]
    assert any("编号重复或倒序" in w for w in n.warnings)
    assert any("重复（第3行、第6行）" in w for w in n.warnings)
    assert n.requirements[0].obligations[0].period == "每月"


def test_text_without_items_gives_warning_and_read_notice_refuses(tmp_path: Path) -> None:
    n = parse_notice("这是一段没有编号的文字。\n第二行。")
    assert n.requirements == [] and n.warnings
    path = tmp_path / "plain.txt"
    path.write_text("这是一段没有编号的文字。", encoding="utf-8")
    with pytest.raises(InputError, match="未找到编号条目"):
        read_notice(path)


def test_cn_to_int() -> None:
    assert [cn_to_int(s) for s in ("一", "十", "十二", "二十三", "两", "百")] == [1, 10, 12, 23, 2, None]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["一、加强公开", "（二）做好解读。", "(三)培训", "1. 每月更新。", "", "相关附件"]
            ),
            st.text(alphabet="一二三（）()、.1234。，要应年内至少次做好培训", max_size=30),
        ),
        max_size=12,
    )
)
def test_parse_never_fails_and_ids_are_unique(lines: list[str]) -> None:
    n = parse_notice("标题\n" + "\n".join(lines))
    ids = [r.id for r in n.requirements]
    assert len(ids) == len(set(ids))
    assert all(r.line >= 2 for r in n.requirements)


# --------------------------------------------------------------------------- renderings


def test_json_shape(n002: Notice) -> None:
    data = json.loads(requirements_to_json(n002))
    assert isinstance(data, list) and [d["id"] for d in data] == IDS_002
    assert {"id", "parent", "title", "text", "line", "obligations"} <= set(data[0])
    five_one = data[IDS_002.index("五（一）")]
    (ob,) = five_one["obligations"]
    assert ob["kind"] == "quantity" and ob["number"] == 1 and ob["unit"] == "次" and ob["period"] == "年内"
    assert ob["requirement"] == "至少1次（年内）"


def test_text_rendering(n002: Notice) -> None:
    text = requirements_text(n002)
    assert "注意：四（三）缺失" in text
    assert "  四（四） 落实政务公开平台维护的主体责任　第33行" in text
    assert "[期限] 在今年年底前，要实现门户网站支持互联网协议第6版（年底前）" in text


def test_xlsx_written_and_read_back(n002: Notice, tmp_path: Path) -> None:
    path = tmp_path / "要点.xlsx"
    write_requirements_xlsx(n002, path)
    wb = load_workbook(path)
    ws = wb["工作要点"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["编号", "上级标题", "事项", "可核查的要求", "类型"]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["D"].width >= 40
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(max(1, len(r.obligations)) for r in n002.requirements)
    ipv6 = next(r for r in rows if r[3] and "互联网协议第6版" in r[3])
    assert ipv6[0] == "三（二）" and ipv6[4] == "期限" and ipv6[5] == "年底前"
    assert ws.cell(row=2, column=4).alignment.wrap_text
    assert "四（三）缺失" in wb["提示"]["A2"].value
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temporary file


# --------------------------------------------------------------------------- CLI


def test_cli_text_and_json() -> None:
    result = runner.invoke(app, ["requirements", str(seed("002"))])
    assert result.exit_code == 0, result.output
    assert "四（四）" in result.stdout and "四（三）缺失" in result.stdout
    result = runner.invoke(app, ["requirements", str(seed("002")), "--format", "json"])
    assert result.exit_code == 0
    assert [d["id"] for d in json.loads(result.stdout)] == IDS_002


def test_cli_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "清单.xlsx"
    result = runner.invoke(app, ["requirements", str(seed("002")), "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["工作要点"]["A2"].value == "一（一）"
    out_json = tmp_path / "清单.json"
    result = runner.invoke(app, ["requirements", str(seed("002")), "-o", str(out_json)])  # format from suffix
    assert result.exit_code == 0
    assert len(json.loads(out_json.read_text(encoding="utf-8"))) == 14


def test_cli_errors(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.txt"
    result = runner.invoke(app, ["requirements", str(missing)])
    assert result.exit_code == 2 and "文件不存在" in result.output and "没有这个文件.txt" in result.output
    broken = tmp_path / "坏文件.docx"
    broken.write_bytes(b"not a zip at all")
    result = runner.invoke(app, ["requirements", str(broken)])
    assert result.exit_code == 2 and "已损坏" in result.output and "坏文件.docx" in result.output
    empty = tmp_path / "空.txt"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["requirements", str(empty)])
    assert result.exit_code == 2 and "空的" in result.output
    result = runner.invoke(app, ["requirements", str(seed("002")), "--format", "xlsx"])
    assert result.exit_code == 2 and "-o" in result.output
    result = runner.invoke(app, ["requirements", str(seed("002")), "--format", "csv"])
    assert result.exit_code == 2 and "text、json 或 xlsx" in result.output
    assert "Traceback" not in result.output
