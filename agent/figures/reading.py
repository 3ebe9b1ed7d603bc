"""The statistical figures a clerk supplies (YAML, JSON or xlsx), and blank templates for them.

YAML/JSON layout (Chinese keys; rows keyed by their official labels)::

    机关: 示例县民族宗教事务局
    年度: 2024
    格式: "2021"            # optional: 年度 ≤ 2020 → "2019", otherwise "2021"
    表二:
      第二十条第（一）项:
        规章: [0, 0, 3]      # 本年制发件数, 本年废止件数, 现行有效件数
        行政规范性文件: {本年制发件数: 1, 本年废止件数: 0, 现行有效件数: 5}
      第二十条第（五）项:
        行政许可: 12         # a single-column row may be a plain number
      …
    表三:
      一、本年新收政府信息公开申请数量: [5, 1, 0, 0, 0, 0]   # 6 numbers, or 7 with 总计
      三、本年度办理结果:
        （一）予以公开: [3, 1, 0, 0, 0, 0]
        （三）不予公开:
          1.属于国家秘密: [0, 0, 0, 0, 0, 0]
        …
    表四:
      行政复议: [1, 0, 0, 0]                                   # 4 numbers, or 5 with 总计
      行政诉讼:
        未经复议直接起诉: {结果维持: 0, 结果纠正: 0, 其他结果: 0, 尚未审结: 0}
        复议后起诉: [0, 0, 0, 0]
    信息处理费: {件数: 0, 金额（元）: 0}

Labels may be written in full, without their enumerator (``予以公开``), with spaces or with
half-width brackets; rows may also be written flat (``（三）不予公开 1.属于国家秘密``).
Derived cells (表三 总计 column and （七）总计 row, 表四 总计) may be left out or blank: they
stay ``None`` for :func:`agent.report.tables.complete_figures`. Cell values that are not numbers are
kept as text for :func:`agent.report.tables.validate_figures` to report. Structural problems (an
unknown label, a wrong number of values, a missing row or table, unreadable files) are all
collected and raised together as one :class:`FiguresError`, each naming its line or cell.
"""

from __future__ import annotations

from pathlib import Path

from agent.errors import InputError
from agent.figures.source import Problems, decode_text, parse_json, parse_yaml, with_warnings
from agent.figures.tables_reading import figures_from_tree
from agent.report.model import Figures
from agent.textfile import MB, check_input_file, read_bytes

FIGURES_TEXT_LIMIT = 2 * MB  # a filled-in YAML/JSON is a few KB
FIGURES_XLSX_LIMIT = 20 * MB
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


def load_figures(path: Path) -> Figures:
    """Read figures from .yaml/.yml, .json or .xlsx. Structural problems → FiguresError (all of them)."""
    path = Path(path)
    if path.is_dir():
        check_input_file(path, what="统计数据文件")  # says it is a folder
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"不支持的文件类型“{path.suffix or '（无扩展名）'}”，请使用 .yaml、.json 或 .xlsx", path=str(path)
        )
    if kind == "xlsx":
        check_input_file(path, FIGURES_XLSX_LIMIT, "统计数据文件")
        from agent.figures.xlsx_reading import load_xlsx  # openpyxl only when needed

        return load_xlsx(path)
    data = read_bytes(path, FIGURES_TEXT_LIMIT, "统计数据文件")
    problems = Problems()
    text = decode_text(path, data, problems)
    root = None
    if text is not None:
        root = parse_yaml(text, problems) if kind == "yaml" else parse_json(text, problems)
    problems.raise_if_any(path)
    assert root is not None
    fig = figures_from_tree(root, str(path), problems)
    problems.raise_if_any(path)
    return with_warnings(fig, problems.warnings)


def figures_warnings(fig: Figures) -> list[str]:
    """What reading the figures file warned about, each naming the file ([] for figures made in code)."""
    return [f"{fig.source}: {w}" for w in getattr(fig, "warnings", [])]
