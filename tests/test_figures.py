"""Figures input (YAML, JSON, xlsx), structural errors, and blank templates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from openpyxl.cell.cell import MergedCell
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import FiguresError, InputError
from agent.figures.reading import load_figures
from agent.figures.source import INFO_SHEET, KEY_AGENCY, KEY_FEE, KEY_FEE_AMOUNT, KEY_FEE_CASES, KEY_YEAR
from agent.figures.templates import write_template
from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ReportFormat,
)
from agent.report.model import CellValue, Figures
from agent.report.tables import complete_figures, validate_figures

DATA = Path(__file__).parent / "data"
FIG21 = DATA / "figures-2021.yaml"
FIG19 = DATA / "figures-2019.yaml"


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based number of the first line (after line ``start``) containing ``needle``."""
    for i, line in enumerate(text.splitlines()[start:], start + 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FiguresError) as info:
        load_figures(path)
    assert str(path) in str(info.value)
    return info.value.problems


def canonical_cells(fig: Figures) -> list[CellValue]:
    """Every cell in official order: 表二 blocks/rows/cols, 表三 rows/cols, 表四 groups/cols."""
    out: list[CellValue] = []
    for b in TABLE2_BLOCKS[fig.format]:
        out += [fig.table2.get(b.key, rk, c.key) for rk, _ in b.rows for c in b.columns]
    out += [fig.table3.get(r.key, c.key) for r in TABLE3_ROWS[fig.format] for c in TABLE3_COLUMNS]
    out += [fig.table4.get(g, c.key) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    return out


def edit(tmp_path: Path, old: str, new: str, source: Path = FIG21, name: str = "f.yaml") -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- loading


def test_yaml_2021_fixture_loads_and_is_consistent() -> None:
    fig = load_figures(FIG21)
    assert (fig.agency, fig.year, fig.format) == ("示例县民族宗教事务局", 2024, "2021")
    assert fig.info_fee is not None and (fig.info_fee.cases, fig.info_fee.amount_yuan) == (1, 100.0)
    assert fig.table2.get("art20_1", "normative", "in_force") == 5  # mapping form
    assert fig.table2.get("art20_5", "licensing", "decisions") == 12  # scalar form
    assert fig.table2.get("art20_8", "admin_fees", "fee_amount") == 1.25
    assert fig.table3.get("new", "total") == 8  # list of 7
    assert fig.table3.get("granted", "total") is None  # list of 6: derived left blank
    assert fig.table3.get("carried", "natural") == 1  # mapping form without 总计
    assert fig.table3.get("denied_third_party", "business") == 1
    assert fig.table4.get("direct", "pending") == 1 and fig.table4.get("direct", "total") is None
    filled = complete_figures(fig)
    assert "表三 （一）予以公开 × 总计" in filled
    assert fig.table3.get("granted", "total") == 5
    assert fig.table4.get("direct", "total") == 1
    assert validate_figures(fig) == []


def test_yaml_2019_fixture_format_from_year() -> None:
    fig = load_figures(FIG19)
    assert fig.format == "2019" and fig.year == 2020 and fig.info_fee is None
    assert fig.table2.get("art20_5", "other_services", "delta") == -1
    assert fig.table2.get("art20_9", "procurement", "amount") == 42.9148
    assert fig.table3.get("other", "natural") == 0  # （六）其他处理 is one row in 2019
    assert fig.table3.get("result_total", "natural") is None
    complete_figures(fig)
    assert fig.table3.get("result_total", "total") == 3
    assert validate_figures(fig) == []


def test_label_variants_give_the_same_figures(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    variant = (
        text.replace("（一）予以公开", "予以公开")  # without enumerator
        .replace("第二十条第（五）项", "第二十条第(五)项")  # half-width brackets
        .replace("      1.本机关不掌握相关政府信息", "      1、本机关 不掌握相关政府信息")
        .replace("行政诉讼:\n    未经复议直接起诉:", "行政诉讼:\n    未经复议 直接起诉:")
        .replace("    复议后起诉: [0, 0, 0, 0]", "  行政诉讼（复议后起诉）: [0, 0, 0, 0]")
    )
    # a flat row path instead of the nested group
    variant = variant.replace("      8.属于行政查询事项: [0, 0, 0, 0, 0, 0]\n", "")
    variant = variant.replace(
        "  四、结转下年度", "  （三）不予公开 8.属于行政查询事项: [0, 0, 0, 0, 0, 0]\n  四、结转下年度"
    )
    assert variant != text
    path = tmp_path / "variant.yaml"
    path.write_text(variant, encoding="utf-8")
    assert canonical_cells(load_figures(path)) == canonical_cells(load_figures(FIG21))


def test_explicit_format_overrides_year(tmp_path: Path) -> None:
    path = edit(tmp_path, "年度: 2024", '年度: 2020\n格式: "2021"')
    assert load_figures(path).format == "2021"


def test_json_loads_like_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(FIG21.read_text(encoding="utf-8"))
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent="\t"), encoding="utf-8")
    fig = load_figures(path)
    expected = load_figures(FIG21)
    assert canonical_cells(fig) == canonical_cells(expected)
    assert (fig.agency, fig.year, fig.info_fee) == (expected.agency, expected.year, expected.info_fee)


def test_json_errors_name_lines(tmp_path: Path) -> None:
    data = yaml.safe_load(FIG21.read_text(encoding="utf-8"))
    data["表三"]["三、本年度办理结果"]["（三）不予公开"]["1.属于国家密"] = data["表三"]["三、本年度办理结果"][
        "（三）不予公开"
    ].pop("1.属于国家秘密")
    text = json.dumps(data, ensure_ascii=False, indent="\t")
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert any(p.startswith(f"第{line_of(text, '属于国家密')}行") and "1.属于国家秘密" in p for p in problems)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "机关": "x",\n  "年度": 2024\n  "表二": {}\n}', encoding="utf-8")
    (problem,) = problems_of(broken)
    assert problem.startswith("第4行") and "JSON" in problem and "缺少逗号" in problem


def test_non_numbers_are_kept_for_validation(tmp_path: Path) -> None:
    path = edit(tmp_path, "1.本机关不掌握相关政府信息: [1, 0,", "1.本机关不掌握相关政府信息: [1, 三,")
    fig = load_figures(path)
    assert fig.table3.get("unable_not_held", "business") == "三"
    complete_figures(fig)
    messages = [f"{f.location}：{f.message}" for f in validate_figures(fig)]
    assert "表三 （四）无法提供 1.本机关不掌握相关政府信息 × 商业企业：“三”不是整数" in messages


def test_numeric_text_and_slash(tmp_path: Path) -> None:
    path = edit(tmp_path, "行政许可: 12", '行政许可: "１２"')
    path2 = edit(tmp_path, "行政处罚: 3", "行政处罚: /", source=path, name="g.yaml")
    fig = load_figures(path2)
    assert fig.table2.get("art20_5", "licensing", "decisions") == 12
    assert fig.table2.get("art20_6", "penalty", "decisions") == "/"


def test_table4_flat_list_year_with_unit_and_fee_zero(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    start = text.index("表四:")
    flat = list(range(1, 16))
    text = text[:start] + f"表四: {flat}\n\n信息处理费: 0\n"
    path = tmp_path / "flat.yaml"
    path.write_text(text.replace("年度: 2024", "年度: 2024年"), encoding="utf-8")
    fig = load_figures(path)
    assert [fig.table4.get(g, c.key) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS] == flat
    assert fig.year == 2024 and fig.info_fee is not None and fig.info_fee.cases == 0
    path.write_text(text.replace(f"表四: {flat}", "表四: [1, 2, 3]"), encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(f"第{line_of(text, '表四:')}行") and "15个数，实际为3个" in problem


def test_json_without_line_numbers_still_names_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(FIG21.read_text(encoding="utf-8"))
    data["表二"]["第二十条第（六）项"]["行政处罚x"] = data["表二"]["第二十条第（六）项"].pop("行政处罚")
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise yaml.YAMLError("simulated")

    monkeypatch.setattr("agent.figures.source.yaml.compose", fail)
    (problem,) = problems_of(path)
    assert problem == "表二没有“行政处罚x”这一行，是否应为“行政处罚”？"


def test_wrong_derived_total_is_caught(tmp_path: Path) -> None:
    path = edit(tmp_path, "[5, 2, 0, 0, 1, 0, 8]", "[5, 2, 0, 0, 1, 0, 9]")
    fig = load_figures(path)
    complete_figures(fig)
    findings = validate_figures(fig)
    assert [(f.rule, f.location) for f in findings] == [
        ("T3-ROW", "表三 一、本年新收政府信息公开申请数量 × 总计"),
        ("T3-BALANCE", "表三 总计列"),  # 9 + 1 ≠ 8 + 1
    ]


# --------------------------------------------------------------------------- structural errors


def test_all_structural_errors_are_collected_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = (
        FIG21.read_text(encoding="utf-8")
        .replace("1.属于国家秘密:", "1.属于国家密:")
        .replace("行政处罚: 3", "行政处罚: [3, 1]")
        .replace("2.重复申请: [0, 0, 0, 0, 0, 0]", "2.重复申请: [0, 0, 0, 0, 0]")
        .replace("{结果维持: 0, 结果纠正: 0,", "{结果维持: 0, 结果纠证: 0,")
        .replace("机关:", "机关名:")
        .replace("      3.其他: [0, 0, 0, 0, 0, 0]\n", "")
        .replace("    规章: [0, 0, 0]", "    规章: [0, 0, 0]\n    规章 : [0, 0, 0]")
    )
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    expected = [
        (line_of(text, "1.属于国家密"), "“1.属于国家密”", "是否应为“1.属于国家秘密”"),
        (line_of(text, "行政处罚:"), "表二 第二十条第（六）项 行政处罚应填写1个数", "实际为2个"),
        (line_of(text, "2.重复申请"), "表三 （五）不予处理 2.重复申请", "实际为5个"),
        (line_of(text, "结果纠证"), "“结果纠证”", "是否应为“结果纠正”"),
        (line_of(text, "机关名:"), "“机关名”", "是否应为“机关”"),
        (line_of(text, "规章 :"), "重复", f"第{line_of(text, '规章:')}行已填写"),
    ]
    for line, what, detail in expected:
        hits = [p for p in problems if p.startswith(f"第{line}行") and what in p and detail in p]
        assert len(hits) == 1, (line, what, problems)
    assert len(problems) == len(expected)
    assert not any("3.其他" in p for p in problems)  # a row left out is a warning, not an error


def test_missing_table_and_row_named(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    cut = text[: text.index("# 列：结果维持")]  # drop 表四 and 信息处理费
    cut = cut.replace("    行政强制: 0\n", "")
    path = tmp_path / "cut.yaml"
    path.write_text(cut, encoding="utf-8")
    problems = problems_of(path)
    assert any("缺少“表四”" in p for p in problems)  # a whole table left out stays an error
    assert not any("行政强制" in p for p in problems)  # a row left out does not (see below)


def test_row_of_the_other_format_is_explained(tmp_path: Path) -> None:
    path = edit(tmp_path, "年度: 2024", "年度: 2020")  # 2021-format rows read as 2019
    problems = problems_of(path)
    assert any("行政规范性文件" in p and "2021版" in p for p in problems)
    assert any("1.申请人无正当理由逾期不补正" in p and "2021版" in p for p in problems)


def test_yaml_syntax_error_names_line_and_fullwidth_colon(tmp_path: Path) -> None:
    path = edit(tmp_path, "年度: 2024", "年度：2024")
    (problem,) = problems_of(path)
    text = path.read_text(encoding="utf-8")
    assert "YAML 格式错误" in problem and "半角" in problem
    reported = int(re.match(r"第(\d+)行", problem).group(1))  # type: ignore[union-attr]
    assert reported in (line_of(text, "年度："), line_of(text, "年度：") + 1)


def test_gbk_file_is_read(tmp_path: Path) -> None:
    """Files saved by Notepad/WPS on Chinese Windows are GBK: they are read, not refused."""
    text = FIG21.read_text(encoding="utf-8")
    path = tmp_path / "gbk.yaml"
    path.write_bytes(text.encode("gb18030"))
    assert load_figures(path) == load_figures(FIG21).model_copy(update={"source": str(path)})


def test_empty_and_not_a_mapping(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    assert "空" in problems_of(empty)[0]
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n", encoding="utf-8")
    assert "名称: 数值" in problems_of(scalar)[0]


def test_info_fee_problems(tmp_path: Path) -> None:
    path = edit(tmp_path, "  件数: 1\n  金额（元）: 100", "  件数: 1.5\n  金额（元）: 一百")
    problems = problems_of(path)
    text = path.read_text(encoding="utf-8")
    assert any(p.startswith(f"第{line_of(text, '件数: 1.5')}行") and "整数" in p for p in problems)
    assert any(p.startswith(f"第{line_of(text, '一百')}行") and "一百" in p for p in problems)


def test_bad_path_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不支持"):
        load_figures(tmp_path / "a.txt")
    with pytest.raises(InputError, match="不存在"):
        load_figures(tmp_path / "missing.yaml")
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_bytes(b"not a zip")
    assert "Excel" in problems_of(bogus)[0]


# --------------------------------------------------------------------------- YAML templates


def fill_yaml_template(text: str) -> tuple[str, int]:
    """Replace every blank ``~`` (not the quoted “~” in comments) by 1, 2, 3 …"""
    counter = iter(range(1, 10_000))
    filled, n = re.subn(r"(?<!“)~(?!”)", lambda _: str(next(counter)), text)
    return filled, n


@pytest.mark.parametrize(("year", "fmt"), [(2024, "2021"), (2020, "2019"), (None, "2021")])
def test_yaml_template_round_trip(tmp_path: Path, year: int | None, fmt: ReportFormat) -> None:
    path = tmp_path / "t.yaml"
    write_template(path, "yaml", year=year, agency="示例县民族宗教事务局")
    blank = load_figures(path)  # loadable as written
    assert blank.format == fmt and blank.year == year and blank.agency == "示例县民族宗教事务局"
    assert all(v is None for v in canonical_cells(blank)) and blank.info_fee is None
    filled, n = fill_yaml_template(path.read_text(encoding="utf-8"))
    path.write_text(filled, encoding="utf-8")
    fig = load_figures(path)
    cells = canonical_cells(fig)
    assert n == len(cells) + 2
    assert cells == list(range(1, len(cells) + 1))
    assert fig.info_fee is not None and (fig.info_fee.cases, fig.info_fee.amount_yuan) == (n - 1, n)


def test_yaml_template_has_chinese_comments() -> None:
    from agent.figures.templates import template_yaml

    text = template_yaml("2021")
    assert "总计" in text and "可以保留“~”" in text and "# 三、收到和处理政府信息公开申请情况" in text
    assert TABLE3_CORNER in text


# --------------------------------------------------------------------------- xlsx templates


def unlocked_cells(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[openpyxl.cell.cell.Cell]:
    return [
        c for row in ws.iter_rows() for c in row if not isinstance(c, MergedCell) and not c.protection.locked
    ]


def fill_xlsx(path: Path, agency: str, year: int) -> int:
    wb = openpyxl.load_workbook(path)
    info = wb[INFO_SHEET]
    labels = {str(info.cell(r, 1).value): r for r in range(1, info.max_row + 1)}
    info.cell(labels[KEY_AGENCY], 2).value = agency
    info.cell(labels[KEY_YEAR], 2).value = year
    info.cell(labels[f"{KEY_FEE} {KEY_FEE_CASES}"], 2).value = 3
    info.cell(labels[f"{KEY_FEE} {KEY_FEE_AMOUNT}"], 2).value = 12.5
    n = 0
    for name in ("表二", "表三", "表四"):
        for cell in unlocked_cells(wb[name]):
            n += 1
            cell.value = n
    wb.save(path)
    return n


@pytest.mark.parametrize(("year", "fmt"), [(2024, "2021"), (2019, "2019")])
def test_xlsx_template_round_trip(tmp_path: Path, year: int, fmt: ReportFormat) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=year, agency=None)
    blank = load_figures(path)
    assert blank.format == fmt and blank.year == year and blank.agency is None
    assert all(v is None for v in canonical_cells(blank))
    n = fill_xlsx(path, "示例县民族宗教事务局", year)
    fig = load_figures(path)
    cells = canonical_cells(fig)
    assert cells == list(range(1, n + 1))  # row-major sheet order is the official order
    assert fig.agency == "示例县民族宗教事务局"
    assert fig.info_fee is not None and (fig.info_fee.cases, fig.info_fee.amount_yuan) == (3, 12.5)


def test_xlsx_layout_labels_next_to_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2024, agency=None)
    ws = openpyxl.load_workbook(path)["表三"]
    number_rows = sorted({c.row for c in unlocked_cells(ws)})
    assert len(number_rows) == len(TABLE3_ROWS["2021"])
    for r, spec in zip(number_rows, TABLE3_ROWS["2021"], strict=True):
        texts = [ws.cell(r, c).value for c in (1, 2, 3) if not isinstance(ws.cell(r, c), MergedCell)]
        assert texts[-1] == spec.label
    header = [ws.cell(r, c).value for r in range(1, number_rows[0]) for c in range(1, 11)]
    for label in (TABLE3_CORNER, "申请人情况", "法人或其他组织", *(c.label for c in TABLE3_COLUMNS)):
        assert label in header
    merged = {str(m) for m in ws.merged_cells.ranges}
    corner = next(c for row in ws.iter_rows() for c in row if c.value == TABLE3_CORNER)
    assert f"{corner.coordinate}:{ws.cell(corner.row + 2, corner.column + 2).coordinate}" in merged


def test_xlsx_protection_and_marks(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2024, agency="示例县民族宗教事务局")
    wb = openpyxl.load_workbook(path)
    for name in ("表二", "表三", "表四", INFO_SHEET):
        ws = wb[name]
        assert ws.protection.sheet and not ws.protection.password
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value != "示例县民族宗教事务局":
                    assert cell.protection.locked, (name, cell.coordinate)
    t3 = wb["表三"]
    unlocked = unlocked_cells(t3)
    assert len(unlocked) == len(TABLE3_ROWS["2021"]) * len(TABLE3_COLUMNS)
    grey = [c for c in unlocked if c.fill.fgColor.rgb.endswith("D9D9D9")]
    assert len(grey) == len(TABLE3_ROWS["2021"]) + len(TABLE3_COLUMNS) - 1  # 总计 column + （七）总计 row
    assert all(c.comment is not None and "可留空" in c.comment.text for c in grey)
    validations = {dv.type: str(dv.sqref) for dv in t3.data_validations.dataValidation}
    assert unlocked[0].coordinate in validations["whole"].split()
    t2 = wb["表二"]
    decimal = [
        str(dv.sqref) for dv in t2.data_validations.dataValidation if dv.type == "decimal" and dv.sqref
    ]
    assert len(decimal) == 1  # the 万元 amount
    assert len(unlocked_cells(wb["表四"])) == 15


def test_xlsx_2019_delta_may_be_negative(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2020, agency=None)
    t2 = openpyxl.load_workbook(path)["表二"]
    between = [dv for dv in t2.data_validations.dataValidation if dv.operator == "between" and dv.sqref]
    assert between and float(between[0].formula1) < 0
    header = [c.value for row in t2.iter_rows() for c in row if c.value]
    assert "本年增/减" in header and "第二十条第（九）项" in header


def test_xlsx_tampered_label_names_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2024, agency=None)
    wb = openpyxl.load_workbook(path)
    ws = wb["表三"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "1.属于国家秘密")
    cell.value = "1.属于国家机密"
    t4 = wb["表四"]
    rev = next(c for row in t4.iter_rows() for c in row if c.value == "行政复议")
    rev.value = None
    wb.save(path)
    problems = problems_of(path)
    assert any(p.startswith(f"表三!{cell.coordinate}：") and "1.属于国家秘密" in p for p in problems)
    assert any(p.startswith(f"表四!{rev.coordinate}：") and "行政复议" in p for p in problems)
    assert len(problems) == 2


def test_xlsx_text_in_number_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2024, agency=None)
    wb = openpyxl.load_workbook(path)
    cells = unlocked_cells(wb["表三"])
    cells[0].value = "三"
    cells[1].value = " 12 "
    wb[INFO_SHEET]["B4"].value = "二〇二四"
    wb.save(path)
    problems = problems_of(path)
    assert problems == [f"{INFO_SHEET}!B4：年度应为四位数字的年份，例如 2024，而不是“二〇二四”"]
    wb = openpyxl.load_workbook(path)
    wb[INFO_SHEET]["B4"].value = 2024
    wb.save(path)
    fig = load_figures(path)
    assert fig.table3.get("new", "natural") == "三"
    assert fig.table3.get("new", "business") == 12


def test_write_template_checks_kind_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="xlsx 或 yaml"):
        write_template(tmp_path / "t.csv", "csv", None, None)
    with pytest.raises(InputError, match=r"\.xlsx"):
        write_template(tmp_path / "t.yaml", "xlsx", None, None)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- CLI: template


@pytest.mark.parametrize("kind", ["xlsx", "yaml"])
def test_cli_template_writes_and_refuses_overwrite(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"figures.{kind}"
    runner = CliRunner()
    result = runner.invoke(
        app, ["template", "--format", kind, "-o", str(out), "--agency", "示例县民族宗教事务局"]
    )
    assert result.exit_code == 0, result.output
    fig = load_figures(out)
    assert fig.format == "2021" and fig.agency == "示例县民族宗教事务局"
    before = out.read_bytes()
    again = runner.invoke(app, ["template", "--format", kind, "-o", str(out)])
    assert again.exit_code == 2
    assert "已存在" in again.stderr and str(out) in again.stderr
    assert out.read_bytes() == before


@pytest.mark.parametrize("kind", ["xlsx", "yaml"])
def test_cli_template_year_2020_gives_2019_layout(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"figures.{kind}"
    result = CliRunner().invoke(app, ["template", "--format", kind, "-o", str(out), "--year", "2020"])
    assert result.exit_code == 0, result.output
    fig = load_figures(out)
    assert fig.format == "2019" and fig.year == 2020
    assert "art20_9" in fig.table2.cells and "other" in fig.table3.cells


# ----------------------------------------------------------------------------- as clerks write them


def _t3_value(fig, key: str) -> object:
    return fig.table3.get(key, "natural")


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("一、本年新收政府信息公开申请数量", "new"),
        ("本年新收", "new"),
        ("上年结转", "carried"),
        ("部分公开", "partial"),
        ("结转下年度", "carry_next"),
        ("（二）部分公开", "partial"),
    ],
)
def test_short_row_labels_are_accepted(tmp_path: Path, written: str, key: str) -> None:
    text = FIG21.read_text(encoding="utf-8")
    full = {
        "new": "一、本年新收政府信息公开申请数量",
        "carried": "二、上年结转政府信息公开申请数量",
        "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "carry_next": "四、结转下年度继续办理",
    }[key]
    assert f"{full}:" in text
    path = tmp_path / "short.yaml"
    path.write_text(text.replace(f"{full}:", f"{written}:", 1), encoding="utf-8")
    assert load_figures(path).table3.model_dump() == load_figures(FIG21).table3.model_dump()


def test_a_row_may_name_its_group_before_it(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    block = text[text.index("    （四）无法提供:") : text.index("    （五）不予处理:")]
    rows = [ln.strip() for ln in block.splitlines()[1:] if ln.strip()]
    flat = "".join(
        f"    {g}{r.split('.', 1)[1]}\n"
        for g, r in zip(("无法提供/", "（四）无法提供 ", "无法提供"), rows, strict=True)
    )
    path = tmp_path / "grouped.yaml"
    path.write_text(text.replace(block, flat), encoding="utf-8")
    assert load_figures(path).table3.model_dump() == load_figures(FIG21).table3.model_dump()


def test_rows_left_out_count_as_zero_with_one_warning(tmp_path: Path) -> None:
    from agent.figures.reading import figures_warnings

    text = FIG21.read_text(encoding="utf-8")
    for row in ("      3.其他: ", "      2.重复申请: ", "    行政强制: "):
        start = text.index(row)
        text = text[:start] + text[text.index("\n", start) + 1 :]
    path = tmp_path / "left-out.yaml"
    path.write_text(text, encoding="utf-8")
    fig = load_figures(path)
    assert fig.table3.get("other_misc", "natural") == 0 and fig.table3.get("refused_repeat", "legal") == 0
    assert fig.table2.get("art20_6", "coercion", "decisions") == 0
    warnings = figures_warnings(fig)
    t3 = [w for w in warnings if "表三未填写" in w]
    assert len(t3) == 1 and "3.其他" in t3[0] and "2.重复申请" in t3[0] and "按 0 计" in t3[0]
    assert any("表二未填写" in w and "行政强制" in w for w in warnings)
    assert all(str(path) in w for w in warnings)


def test_a_row_given_with_blanks_stays_an_error(tmp_path: Path) -> None:
    path = edit(tmp_path, "2.重复申请: [0, 0, 0, 0, 0, 0]", "2.重复申请:")
    (problem,) = problems_of(path)
    assert "2.重复申请" in problem and "没有填写数字" in problem


def test_suggestions_keep_the_meaning(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    full = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）:"
    path = tmp_path / "typo.yaml"
    path.write_text(text.replace(full, "部份公开:", 1), encoding="utf-8")
    (problem,) = problems_of(path)
    assert "是否应为“（二）部分公开" in problem and "予以公开" not in problem


def test_an_unknown_row_is_not_reported_as_written_twice(tmp_path: Path) -> None:
    text = FIG21.read_text(encoding="utf-8")
    # an unknown label whose closest row is then written correctly
    path = tmp_path / "unknown.yaml"
    path.write_text(
        text.replace("    （一）予以公开:", "    予以公开开开: [0, 0, 0, 0, 0, 0]\n    （一）予以公开:", 1),
        encoding="utf-8",
    )
    problems = problems_of(path)
    assert len(problems) == 1 and "没有“予以公开开开”这一行" in problems[0]
    assert not any("重复填写" in p for p in problems)


def test_an_ambiguous_short_label_lists_the_rows(tmp_path: Path) -> None:
    path = edit(tmp_path, "一、本年新收政府信息公开申请数量:", "申请数量:")
    (problem,) = problems_of(path)
    assert "可能是" in problem and "一、本年新收政府信息公开申请数量" in problem and "二、上年结转" in problem


# ----------------------------------------------------------------------------- broken xlsx files


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    write_template(path, "xlsx", year=2024, agency=None)
    return path


def test_xlsx_with_damaged_xml_names_the_sheet(tmp_path: Path) -> None:
    import zipfile

    src, bad = _template(tmp_path), tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(bad, "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet3.xml") else data)
    (problem,) = problems_of(bad)
    assert "已损坏" in problem and "工作表“表三”" in problem and "另存为" in problem


def test_password_protected_xlsx_says_so(tmp_path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    src, locked = _template(tmp_path), tmp_path / "locked.xlsx"
    with open(src, "rb") as f, open(locked, "wb") as out:
        msoffcrypto.OOXMLFile(f).encrypt("secret", out)
    (problem,) = problems_of(locked)
    assert "密码" in problem and "加密" in problem


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600), "旧版 Excel"),
        ("机关: 示例\n".encode(), "不是 Excel 工作簿"),
        (None, "不完整"),  # cut short
    ],
)
def test_other_broken_xlsx_files_get_a_reason(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(content if content is not None else _template(tmp_path).read_bytes()[:3000])
    (problem,) = problems_of(path)
    assert words in problem


def test_xlsx_dates_and_truth_values_in_number_cells_name_the_cell(tmp_path: Path) -> None:
    import datetime

    path = _template(tmp_path)
    wb = openpyxl.load_workbook(path)
    cells = unlocked_cells(wb["表三"])
    cells[0].value = datetime.datetime(2024, 1, 2)
    cells[1].value = True
    wb[INFO_SHEET]["B4"].value = 2024
    wb.save(path)
    problems = problems_of(path)
    assert any(p.startswith(f"表三!{cells[0].coordinate}：") and "日期" in p for p in problems)
    assert any(p.startswith(f"表三!{cells[1].coordinate}：") and "TRUE" in p for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("年度: 2024", "年度: [2024]", ("年度应为四位数字的年份", "一组数值")),
        ("行政处罚: 3", "行政处罚: 3件", ("行政处罚", "请只填数字，不要带单位“件”")),
        (
            "1.属于国家秘密: [0, 0, 0, 0, 0, 0]",
            "1.属于国家秘密: [0, 2人, 0, 0, 0, 0]",
            ("× 商业企业", "单位“人”"),
        ),
    ],
)
def test_wrong_types_name_their_line(tmp_path: Path, old: str, new: str, words: tuple[str, ...]) -> None:
    path = edit(tmp_path, old, new)
    (problem,) = problems_of(path)
    line = line_of(path.read_text(encoding="utf-8"), new.split(":")[0])
    assert problem.startswith(f"第{line}行") and all(w in problem for w in words)


def test_cli_tables_shows_the_rows_counted_as_zero(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    path = edit(tmp_path, "    行政强制: 0\n", "")
    result = CliRunner().invoke(app, ["tables", str(path), "-o", str(tmp_path / "t.md")])
    assert result.exit_code == 0 and "注意" in result.output and "行政强制" in result.output
