"""TABLE-READ: what the reader could not establish, and what it decided through the identities.

One warning per table lists the cells that are ``uncertain`` (with the printed digits and the
possible values, so a reviewer can look them up), one info lists the rows whose run-together or
incomplete digits had exactly one reading that fits the table's identities. A table with an
uncertain cell is never reported as consistent: its identities are only checked on cells that
were read.
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.report.labels import TABLE2_BLOCKS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, table4_group_path
from agent.report.model import AnnualReport, CellReading, Finding, Table2, Table3, Table4, make_finding

TableLike = Table2 | Table3 | Table4
_MISSING = "未能在原文中找到这一行"


def table_names(report: AnnualReport) -> Iterator[tuple[str, str, TableLike, str]]:
    """(short key, name, table, section key) for each table the report has."""
    for short, name, table, section in (
        ("t2", "表二", report.table2, "proactive"),
        ("t3", "表三", report.table3, "requests"),
        ("t4", "表四", report.table4, "review"),
    ):
        if table is not None:
            yield short, name, table, section


def row_label(table: TableLike, row: str) -> str:
    if isinstance(table, Table3):
        return next(r.path for r in TABLE3_ROWS[table.format] if r.key == row)
    if isinstance(table, Table4):
        return table4_group_path(row)
    block, rk = row.split("/")
    b = next(b for b in TABLE2_BLOCKS[table.format] if b.key == block)
    return f"{b.label} {dict(b.rows)[rk]}"


def column_label(table: TableLike, row: str, col: str) -> str:
    if isinstance(table, Table3):
        return next(c.label for c in TABLE3_COLUMNS if c.key == col)
    if isinstance(table, Table4):
        return next(c.label for c in TABLE4_COLUMNS if c.key == col)
    block = row.split("/")[0]
    b = next(b for b in TABLE2_BLOCKS[table.format] if b.key == block)
    return next(c.label for c in b.columns if c.key == col)


def _by_row(table: TableLike) -> dict[str, list[tuple[str, CellReading]]]:
    rows: dict[str, list[tuple[str, CellReading]]] = {}
    for key, rd in table.readings.items():
        if rd.state == "uncertain":
            row, col = key.rsplit("|", 1)
            rows.setdefault(row, []).append((col, rd))
    return rows


def _row_text(table: TableLike, row: str, cells: list[tuple[str, CellReading]], width: int) -> str:
    label = row_label(table, row)
    where = cells[0][1].where()
    raw = cells[0][1].raw
    cols = "各列" if len(cells) == width else "、".join(column_label(table, row, c) for c, _ in cells)
    options = [
        f"{column_label(table, row, c)}可能为{'或'.join(str(v) for v in rd.candidates)}"
        for c, rd in cells
        if 1 < len(rd.candidates) <= 4
    ]
    text = f"{label}（{cols}）"
    if raw:
        text += f"，原文“{raw}”"
    if options and len(options) <= 3:
        text += "，" + "，".join(options)
    return text + (f"（{where}）" if where else "")


def reading_findings(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for short, name, table, section in table_names(report):
        rows = _by_row(table)
        missing = [r for r, cells in rows.items() if all(rd.note == _MISSING for _, rd in cells)]
        unread = {r: c for r, c in rows.items() if r not in missing}
        cells = [f"{short}:{r}|{c}" for r, cs in rows.items() for c, _ in cs]
        if unread:
            width = {r: _width(table, r) for r in unread}
            parts = [_row_text(table, r, c, width[r]) for r, c in unread.items()]
            reasons = "；".join(dict.fromkeys(rd.note for cs in unread.values() for _, rd in cs if rd.note))
            out.append(
                make_finding(
                    "TABLE-READ",
                    f"{sum(len(c) for c in unread.values())}个单元格未能可靠识别（{reasons}），未据以核对勾稽关系，"
                    f"请核对原文：{'；'.join(parts)}",
                    name,
                    section,
                    cells=[x for x in cells if x.split(":", 1)[1].rsplit("|", 1)[0] in unread],
                )
            )
        if missing:
            shown = "、".join(row_label(table, r) for r in missing[:4]) + (
                f"等{len(missing)}行" if len(missing) > 4 else ""
            )
            out.append(
                make_finding(
                    "TABLE-READ",
                    f"未能在原文中找到{len(missing)}行（{shown}）：表格可能不完整，或版式无法识别，请核对原文",
                    name,
                    section,
                    cells=[x for x in cells if x.split(":", 1)[1].rsplit("|", 1)[0] in missing],
                )
            )
        if table.decoded:
            parts = [
                f"{_labels(table, keys)} 原文“{raw}”读作 {reading}" for keys, raw, reading in table.decoded
            ]
            out.append(
                make_finding(
                    "TABLE-READ",
                    f"以下各行的数字连写或缺格，唯一符合勾稽关系的读法为：{'；'.join(parts)}",
                    name,
                    section,
                    severity="info",
                )
            )
        if isinstance(table, Table2) and table.strays:
            out.append(
                make_finding(
                    "TABLE-READ",
                    f"表格外有游离的数字{'、'.join(f'“{s}”' for s in table.strays)}，可能是从表格中移出的单元格，请核对原文",
                    name,
                    section,
                    severity="info",
                )
            )
    return out


def _labels(table: TableLike, keys: str) -> str:
    return "、".join(row_label(table, k) for k in keys.split("+"))


def _width(table: TableLike, row: str) -> int:
    return sum(1 for k in table.readings if k.rsplit("|", 1)[0] == row)
