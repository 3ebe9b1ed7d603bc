"""The bad-input corpus: malformed files, wrong types, folders, unusable output paths, broken
indexes and concurrent runs, for every command. ``make_cases(root)`` writes each case's files into
``root/<case>/`` and returns the cases; ``python tests/bad_input_cases.py OUT`` writes the corpus
to a folder and lists it.

Every case states the exit codes it may end with (documented: 1 = the check found errors or the
figures break the table identities, 2 = unreadable input, unusable output path or settings) and
the words its message must contain (the file, and what is wrong). The runner
(``tests/test_bad_inputs.py``) adds the rules every case obeys: no traceback, and — unless the
case succeeds — no new file and every file the user had byte-identical.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTICE = ROOT / "corpus" / "seeds" / "002_80d2bd772b55b8ef.txt"  # a real 工作要点


@dataclass
class Case:
    name: str
    argv: list[str]  # paths relative to the case folder (the working directory)
    codes: tuple[int, ...]  # exit codes allowed
    words: tuple[str, ...]  # the message (stdout + stderr) must contain each
    env: dict[str, str] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()  # files a successful run may create or change
    own_index: bool = False  # uses its own index (in the case folder), not the shared one
    group: str | None = None  # cases of one group are started at the same moment
    setup: str | None = None  # "readonly:<path>": made read-only before the run
    check: str | None = None  # a name of an extra check in the test

    @property
    def succeeds(self) -> bool:
        return self.codes == (0,)


def _utf8_notes() -> str:
    return (EXAMPLES / "notes-2024.md").read_text(encoding="utf-8")


def _figures() -> str:
    return (EXAMPLES / "figures-2024.yaml").read_text(encoding="utf-8")


def _report() -> str:
    return (EXAMPLES / "report-2023.md").read_text(encoding="utf-8")


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _xlsx_template() -> bytes:
    import tempfile

    from agent.figures.templates import write_template

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        write_template(path, "xlsx", year=2024, agency="示例县民族宗教事务局")
        return path.read_bytes()


def _filled_xlsx(mutate: Callable[[object], None] | None = None) -> bytes:
    """The template with every number cell 0 (a consistent, all-zero set of figures)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(_xlsx_template()))
    for name in ("表二", "表三", "表四"):
        for row in wb[name].iter_rows():
            for cell in row:
                if cell.protection.locked is False and type(cell).__name__ == "Cell":
                    cell.value = 0
    if mutate is not None:
        mutate(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _damaged_xml_xlsx() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_filled_xlsx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet3.xml") else data)
    return buf.getvalue()


def _encrypted_xlsx() -> bytes | None:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # the test extra is not installed: a stand-in with the same container
        return None
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_filled_xlsx())).encrypt("secret", out)
    return out.getvalue()


def _damaged_docx() -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_docx_bytes(["某局2023年政府信息公开工作年度报告"])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in good.infolist():
            data = good.read(info.filename)
            out.writestr(info, data[: len(data) // 3] if info.filename == "word/document.xml" else data)
    return buf.getvalue()


_EMPTY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
_OLE = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024)


def _write(folder: Path, files: dict[str, bytes | str]) -> None:
    for rel, content in files.items():
        path = folder / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_cases(root: Path) -> list[Case]:  # noqa: PLR0915 - one long, flat list of cases
    notes, figures, report = _utf8_notes(), _figures(), _report()
    notes_bytes, report_bytes = notes.encode(), report.encode()
    gbk_lines = "\n- 门户网站发布政务信息218条（此行为 GBK 编码）\n".encode("gbk")
    mixed_notes = notes_bytes + gbk_lines
    cut_notes = (notes + "\n- 最后一条要点写到一半").encode()[:-2]
    filled = _filled_xlsx()
    encrypted = _encrypted_xlsx() or (_OLE[:8] + "EncryptionInfo".encode("utf-16-le") + bytes(512))
    base = {"notes.md": notes, "figures.yaml": figures, "report.md": report}
    draft = ["draft", "notes.md", "-F", "figures.yaml", "--offline"]
    cases: list[tuple[Case, dict[str, bytes | str]]] = []

    def add(case: Case, files: dict[str, bytes | str] | None = None) -> None:
        cases.append((case, dict(base if files is None else files)))

    # ------------------------------------------------------------------ check: unreadable reports
    for name, content, words in (
        ("check-empty", b"", ("report.txt", "空")),
        ("check-binary", bytes(range(256)) * 40, ("report.txt",)),
        ("check-utf16", report.encode("utf-16"), ("report.txt",)),
        ("check-gbk", report.encode("gb18030"), ("report.txt",)),
        ("check-cut-mid-character", report_bytes[:-1] + "中".encode()[:2], ("report.txt",)),
        ("check-nul-bytes", report_bytes.replace(b"\n", b"\n\x00", 3), ("report.txt",)),
    ):
        add(Case(name, ["check", "report.txt"], (0, 1, 2), words), {"report.txt": content})
    add(  # refused, with the line and byte where the second encoding starts
        Case("check-mixed-encodings", ["check", "report.txt"], (2,), ("report.txt", "混用", "字节")),
        {"report.txt": report_bytes + gbk_lines},
    )
    for name, fname, content, words in (
        ("check-docx-truncated", "report.docx", _docx_bytes([report])[:900], ("report.docx", "损坏")),
        ("check-docx-damaged-xml", "report.docx", _damaged_docx(), ("report.docx", "损坏")),
        ("check-docx-empty", "report.docx", b"", ("report.docx",)),
        ("check-docx-is-text", "report.docx", report_bytes, ("report.docx", "损坏")),
        ("check-pdf-garbage", "report.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, ("report.pdf",)),
        ("check-pdf-truncated", "report.pdf", _EMPTY_PDF[:60], ("report.pdf",)),
        ("check-pdf-no-text", "report.pdf", _EMPTY_PDF, ("report.pdf", "扫描件")),
        ("check-doc-unsupported", "report.doc", _OLE, ("report.doc", "不支持")),
        ("check-xlsx-as-report", "report.xlsx", filled, ("report.xlsx", "不支持")),
        (
            "check-html-script",
            "report.html",
            "<html><script>alert(1)</script><p>某局报告</p></html>",
            ("report.html",),
        ),
    ):
        add(Case(name, ["check", fname], (1, 2), words), {fname: content})
    add(
        Case("check-too-big", ["check", "big.txt"], (2,), ("big.txt", "太大", "20 MB")),
        {"big.txt": b"a" * (21 * 1024 * 1024)},
    )
    add(Case("check-folder", ["check", "reports"], (2,), ("reports", "文件夹")), {"reports/a.md": report})
    add(Case("check-missing", ["check", "nothing.md"], (2,), ("nothing.md", "不存在")), {})
    add(
        Case("check-previous-folder", ["check", "report.md", "-p", "old"], (2,), ("old", "文件夹")),
        {**base, "old/x.md": report},
    )
    add(
        Case("check-previous-corrupt", ["check", "report.md", "-p", "old.docx"], (2,), ("old.docx", "损坏")),
        {**base, "old.docx": b"PK\x03\x04broken"},
    )
    add(
        Case("check-against-folder", ["check", "report.md", "--against", "wp"], (2,), ("wp", "文件夹")),
        {**base, "wp/": b""},
    )
    add(Case("check-bad-format-option", ["check", "report.md", "-f", "xml"], (2,), ("--format", "xml")))
    add(Case("check-year-not-a-number", ["check", "report.md", "--year", "二〇二四"], (2,), ("--year",)))

    # ------------------------------------------------------------------ tables: figures
    def fig_case(name: str, fname: str, content: bytes | str, codes: tuple[int, ...], *words: str) -> None:
        add(
            Case(name, ["tables", fname, "-o", "t.md"], codes, (fname, *words), outputs=("t.md",)),
            {fname: content},
        )

    fig_case("tables-empty-yaml", "f.yaml", "", (2,), "空")
    fig_case("tables-yaml-syntax", "f.yaml", figures.replace("年度: 2024", "年度：2024"), (2,), "半角")
    fig_case("tables-json-syntax", "f.json", '{"机关": "x", "年度": 2024,}', (2,), "JSON")
    fig_case("tables-top-level-list", "f.yaml", "- 1\n- 2\n", (2,), "名称: 数值")
    fig_case("tables-year-list", "f.yaml", figures.replace("年度: 2024", "年度: [2024]"), (2,), "年度")
    fig_case("tables-table-scalar", "f.yaml", figures.replace("表四:\n", "表四: 5\n旧表四:\n"), (2,), "表四")
    fig_case("tables-unit-in-cell", "f.yaml", figures.replace("行政许可: 9", "行政许可: 9件"), (2,), "单位")
    fig_case(
        "tables-bool-cell", "f.yaml", figures.replace("行政许可: 9", "行政许可: true"), (1, 2), "行政许可"
    )
    fig_case("tables-negative", "f.yaml", figures.replace("行政许可: 9", "行政许可: -9"), (1,), "负数")
    fig_case(
        "tables-unknown-row",
        "f.yaml",
        figures.replace("（一）予以公开:", "予以公开开开: [0, 0, 0, 0, 0, 0]\n    （一）予以公开:"),
        (2,),
        "予以公开开开",
    )
    fig_case(
        "tables-mixed-encodings", "f.yaml", figures.encode() + "# 备注：GBK\n".encode("gbk"), (2,), "混用"
    )
    fig_case("tables-binary-yaml", "f.yaml", bytes(range(256)) * 10, (2,))
    fig_case("tables-xlsx-damaged-xml", "f.xlsx", _damaged_xml_xlsx(), (2,), "表三", "损坏")
    fig_case("tables-xlsx-truncated", "f.xlsx", filled[: len(filled) // 2], (2,), "不完整")
    fig_case("tables-xlsx-encrypted", "f.xlsx", encrypted, (2,), "密码")
    fig_case("tables-xlsx-is-xls", "f.xlsx", _OLE, (2,), ".xls")
    fig_case("tables-xlsx-is-text", "f.xlsx", figures, (2,), "不是 Excel")
    fig_case("tables-xls-suffix", "f.xls", _OLE, (2,), ".xlsx")
    fig_case("tables-csv-suffix", "f.csv", "a,b\n", (2,), "不支持")

    def _date_cell(wb: object) -> None:
        import datetime

        ws = wb["表三"]  # type: ignore[index]
        cell = next(
            c
            for row in ws.iter_rows()
            for c in row
            if c.protection.locked is False and type(c).__name__ == "Cell"
        )
        cell.value = datetime.datetime(2024, 1, 2)

    fig_case("tables-xlsx-date-cell", "f.xlsx", _filled_xlsx(_date_cell), (2,), "表三!", "日期")
    add(
        Case("tables-figures-folder", ["tables", "figs", "-o", "t.md"], (2,), ("figs", "文件夹")),
        {"figs/a.yaml": figures},
    )
    add(
        Case("tables-figures-too-big", ["tables", "f.yaml", "-o", "t.md"], (2,), ("f.yaml", "太大")),
        {"f.yaml": "#" * (3 * 1024 * 1024)},
    )

    # ------------------------------------------------------------------ tables: output paths
    def out_case(
        name: str,
        out: str,
        *words: str,
        files: dict[str, bytes | str] | None = None,
        setup: str | None = None,
    ) -> None:
        add(
            Case(name, ["tables", "figures.yaml", "-o", out], (2,), (out, *words), setup=setup),
            files if files is not None else dict(base),
        )

    out_case("tables-out-is-folder", "out", "文件夹", files={**base, "out/keep.txt": "mine"})
    out_case("tables-out-parent-is-file", "notes.md/t.md", "文件")
    out_case("tables-out-deep-parent-is-file", "notes.md/a/b/t.md", "文件")
    out_case(
        "tables-out-readonly-folder",
        "ro/t.md",
        "无法",
        files={**base, "ro/keep.txt": "mine"},
        setup="readonly:ro",
    )
    out_case("tables-out-proc", "/proc/report-agent-test/t.md", "无法")
    out_case("tables-out-sys", "/sys/t.md", "无法")
    out_case("tables-out-doc", "t.doc", ".docx")
    out_case("tables-out-no-suffix", "tables", "扩展名")
    out_case(
        "tables-out-readonly-file", "t.md", "只读", files={**base, "t.md": "mine"}, setup="readonly:t.md"
    )
    add(
        Case(
            "tables-out-existing-file",
            ["tables", "figures.yaml", "-o", "t.md"],
            (0,),
            ("t.md",),
            outputs=("t.md",),
        ),
        {**base, "t.md": "old tables"},
    )

    # ------------------------------------------------------------------ template
    def tpl(
        name: str,
        argv: list[str],
        codes: tuple[int, ...],
        words: tuple[str, ...],
        files: dict[str, bytes | str] | None = None,
        setup: str | None = None,
        outputs: tuple[str, ...] = (),
    ) -> None:
        add(
            Case(name, ["template", *argv], codes, words, setup=setup, outputs=outputs),
            files if files is not None else {},
        )

    tpl("template-existing-file", ["-o", "t.xlsx"], (2,), ("t.xlsx", "已存在"), {"t.xlsx": filled})
    tpl("template-out-is-folder", ["-o", "out"], (2,), ("out", "文件夹"), {"out/": b""})
    tpl("template-parent-is-file", ["-o", "f.txt/t.xlsx"], (2,), ("f.txt/t.xlsx", "文件"), {"f.txt": "x"})
    tpl(
        "template-readonly-folder",
        ["-o", "ro/t.xlsx"],
        (2,),
        ("ro/t.xlsx", "无法"),
        {"ro/keep.txt": "mine"},
        setup="readonly:ro",
    )
    tpl("template-proc", ["-o", "/proc/report-agent-test/t.xlsx"], (2,), ("/proc/report-agent-test/t.xlsx",))
    tpl("template-wrong-suffix", ["-o", "t.yaml"], (2,), ("t.yaml", "--format yaml"))
    tpl("template-xls-suffix", ["-o", "t.xls"], (2,), ("t.xls", ".xlsx"))
    tpl("template-bad-format", ["-o", "t.xlsx", "-f", "csv"], (2,), ("--format", "csv"))
    tpl(
        "template-new-folder",
        ["-o", "new/deeper/t.yaml", "-f", "yaml"],
        (0,),
        ("new/deeper/t.yaml",),
        outputs=("new/deeper/t.yaml",),
    )

    # ------------------------------------------------------------------ draft: notes
    def notes_case(name: str, fname: str, content: bytes | str, codes: tuple[int, ...], *words: str) -> None:
        argv = ["draft", fname, "-F", "figures.yaml", "--offline", "-o", "out"]
        outs = ("out/draft.md", "out/draft.docx", "out/draft.check.json", "out/draft.sources.json")
        named = (fname,) if codes != (0,) or words[:1] != ("起草完成",) else ()
        add(
            Case(name, argv, codes, (*named, *words), outputs=outs), {fname: content, "figures.yaml": figures}
        )

    notes_case("draft-notes-empty", "n.md", "", (2,), "没有找到任何要点")
    notes_case("draft-notes-docx", "n.docx", _docx_bytes(["- 要点"]), (2,), "Markdown 或纯文本")
    notes_case("draft-notes-pdf", "n.pdf", _EMPTY_PDF, (2,), "Markdown 或纯文本")
    notes_case("draft-notes-docx-renamed-md", "n.md", _docx_bytes(["- 要点"]), (2,), "Markdown 或纯文本")
    notes_case("draft-notes-xlsx", "n.xlsx", filled, (2,), "Markdown 或纯文本")
    notes_case("draft-notes-mixed-encodings", "n.md", mixed_notes, (2,), "混用", "字节")
    notes_case("draft-notes-binary", "n.md", bytes(range(256)) * 20, (2,))
    notes_case("draft-notes-too-big", "n.md", "- 要点\n" * 300_000, (2,), "太大")
    notes_case("draft-notes-too-many-bullets", "n.md", notes + "- 事项\n" * 100_000, (2,), "超过上限")
    notes_case("draft-notes-bad-front-matter", "n.md", "---\n机关: [\n---\n- a\n", (2,), "YAML")
    notes_case("draft-notes-year-words", "n.md", notes.replace("年度: 2024", "年度: 今年"), (2,), "年度")
    notes_case("draft-notes-cut-mid-character", "n.md", cut_notes, (0,), "不完整")
    notes_case(
        "draft-notes-control-characters",
        "n.md",
        notes.replace("信息 218 条", "信息\x07 218\x0b 条\x00"),
        (0,),
        "控制字符",
    )
    notes_case(
        "draft-notes-html",
        "n.md",
        notes.replace("- 及时公开部门预算", "- <script>alert(1)</script><b>及时</b>公开部门预算"),
        (0,),
        "HTML",
    )
    notes_case(
        "draft-notes-duplicate-heading",
        "n.md",
        notes.replace("## 依申请公开", "## 主动公开\n- 又一条\n## 依申请公开"),
        (0,),
        "重复",
    )
    notes_case("draft-notes-utf16", "n.md", notes.encode("utf-16"), (0,), "UTF-16")
    notes_case("draft-notes-gbk", "n.md", notes.encode("gb18030"), (0,), "起草完成")
    add(
        Case(
            "draft-notes-folder", ["draft", "nn", "-F", "figures.yaml", "--offline"], (2,), ("nn", "文件夹")
        ),
        {"nn/a.md": notes, "figures.yaml": figures},
    )
    add(
        Case(
            "draft-notes-missing",
            ["draft", "missing.md", "-F", "figures.yaml", "--offline"],
            (2,),
            ("missing.md", "不存在"),
        ),
        {"figures.yaml": figures},
    )

    # ------------------------------------------------------------------ draft: figures and previous
    def draft_fig(name: str, fname: str, content: bytes | str, codes: tuple[int, ...], *words: str) -> None:
        add(
            Case(name, ["draft", "notes.md", "-F", fname, "--offline", "-o", "out"], codes, (fname, *words)),
            {"notes.md": notes, fname: content},
        )

    draft_fig("draft-figures-xlsx-encrypted", "f.xlsx", encrypted, (2,), "密码")
    draft_fig("draft-figures-xlsx-damaged", "f.xlsx", _damaged_xml_xlsx(), (2,), "损坏")
    draft_fig(
        "draft-figures-identities",
        "f.yaml",
        figures.replace("行政复议: [1, 0, 0, 0]", "行政复议: [1, 0, 0, 0, 5]"),
        (1,),
        "T4-TOTAL",
    )
    draft_fig("draft-figures-other-year", "f.yaml", figures.replace("年度: 2024", "年度: 2023"), (2,), "2023")
    add(
        Case("draft-figures-folder", ["draft", "notes.md", "-F", "ff", "--offline"], (2,), ("ff", "文件夹")),
        {"notes.md": notes, "ff/": b""},
    )
    add(
        Case("draft-previous-corrupt", [*draft, "-p", "prev.pdf", "-o", "out"], (2,), ("prev.pdf",)),
        {**base, "prev.pdf": b"%PDF-1.4 garbage"},
    )
    add(
        Case("draft-previous-folder", [*draft, "-p", "prev", "-o", "out"], (2,), ("prev", "文件夹")),
        {**base, "prev/": b""},
    )
    add(Case("draft-kind-bogus", ["draft", "notes.md", "--kind", "yearly"], (2,), ("--kind", "yearly")))
    add(Case("draft-no-figures", ["draft", "notes.md", "--offline"], (2,), ("--figures",)))

    # ------------------------------------------------------------------ draft: output folders
    def draft_out(
        name: str,
        out: str,
        *words: str,
        files: dict[str, bytes | str] | None = None,
        setup: str | None = None,
    ) -> None:
        add(
            Case(name, [*draft, "-o", out], (2,), (out, *words), setup=setup),
            files if files is not None else dict(base),
        )

    draft_out("draft-out-is-file", "notes.md", "文件")
    draft_out("draft-out-parent-is-file", "notes.md/out", "文件")
    draft_out(
        "draft-out-readonly", "ro", "无法", files={**base, "ro/draft.md": "我改过的草稿"}, setup="readonly:ro"
    )
    draft_out(
        "draft-out-readonly-parent",
        "ro/new",
        "无法",
        files={**base, "ro/keep.txt": "mine"},
        setup="readonly:ro",
    )
    draft_out("draft-out-proc", "/proc/report-agent-test/out", "无法")
    outs = ("out/draft.md", "out/draft.docx", "out/draft.check.json", "out/draft.sources.json")
    add(
        Case(
            "draft-keeps-an-edited-draft",
            [*draft, "-o", "out"],
            (0,),
            ("原有草稿已保留",),
            outputs=outs,
            check="backup",
        ),
        {**base, "out/draft.md": "我改过的草稿"},
    )

    # ------------------------------------------------------------------ draft --kind implementation
    impl = ["draft", "impl.md", "--kind", "implementation", "-r", "notice.txt", "--offline", "-o", "out"]
    notice = NOTICE.read_text(encoding="utf-8")
    impl_notes = "---\n机关: 上海市民族和宗教事务局\n年度: 2022\n---\n# 一、加强政策解读\n- 发布解读6篇\n"
    add(
        Case("impl-notice-empty", impl, (2,), ("notice.txt", "空")), {"impl.md": impl_notes, "notice.txt": ""}
    )
    add(
        Case("impl-notice-no-items", impl, (2,), ("notice.txt", "编号")),
        {"impl.md": impl_notes, "notice.txt": "这不是工作要点。\n"},
    )
    add(
        Case("impl-notes-docx", [*impl[:1], "impl.docx", *impl[2:]], (2,), ("impl.docx", "Markdown")),
        {"impl.docx": _docx_bytes(["x"]), "notice.txt": notice},
    )
    add(
        Case(
            "impl-no-requirements",
            ["draft", "impl.md", "--kind", "implementation", "--offline"],
            (2,),
            ("--requirements",),
        ),
        {"impl.md": impl_notes},
    )
    add(
        Case("impl-out-is-file", [*impl[:-1], "impl.md"], (2,), ("impl.md", "文件")),
        {"impl.md": impl_notes, "notice.txt": notice},
    )

    # ------------------------------------------------------------------ requirements
    def req(
        name: str,
        argv: list[str],
        codes: tuple[int, ...],
        words: tuple[str, ...],
        files: dict[str, bytes | str] | None = None,
        setup: str | None = None,
    ) -> None:
        add(
            Case(name, ["requirements", *argv], codes, words, setup=setup),
            files if files is not None else {"notice.txt": notice},
        )

    req("requirements-out-doc", ["notice.txt", "-o", "items.doc"], (2,), ("items.doc", ".xlsx"))
    req("requirements-out-docx", ["notice.txt", "-o", "items.docx"], (2,), ("items.docx", "Word"))
    req(
        "requirements-out-folder",
        ["notice.txt", "-o", "out"],
        (2,),
        ("out", "文件夹"),
        {"notice.txt": notice, "out/": b""},
    )
    req(
        "requirements-out-readonly",
        ["notice.txt", "-o", "ro/items.xlsx"],
        (2,),
        ("ro/items.xlsx", "无法"),
        {"notice.txt": notice, "ro/k.txt": "x"},
        setup="readonly:ro",
    )
    req(
        "requirements-out-proc",
        ["notice.txt", "-o", "/proc/report-agent-test/items.json"],
        (2,),
        ("/proc/report-agent-test/items.json",),
    )
    req(
        "requirements-xlsx-format-json-name",
        ["notice.txt", "-f", "xlsx", "-o", "items.json"],
        (2,),
        ("items.json", ".xlsx"),
    )
    req("requirements-empty", ["notice.txt"], (2,), ("notice.txt", "空"), {"notice.txt": ""})
    req(
        "requirements-no-items",
        ["notice.txt"],
        (2,),
        ("notice.txt", "编号"),
        {"notice.txt": "通知\n请各单位认真落实。\n"},
    )
    req(
        "requirements-docx-truncated",
        ["notice.docx"],
        (2,),
        ("notice.docx", "损坏"),
        {"notice.docx": _docx_bytes([notice])[:700]},
    )
    req(
        "requirements-too-big",
        ["big.txt"],
        (2,),
        ("big.txt", "太大", "2 MB"),
        {"big.txt": notice * (3 * 1024 * 1024 // len(notice.encode()) + 1)},
    )
    req("requirements-folder", ["wp"], (2,), ("wp", "文件夹"), {"wp/a.txt": notice})
    req(
        "requirements-control-characters-xlsx",
        ["notice.txt", "-o", "items.xlsx"],
        (0,),
        ("items.xlsx",),
        {"notice.txt": notice.replace("政务公开", "政务\x01公开", 3)},
    )
    cases[-1][0].outputs = ("items.xlsx",)

    # ------------------------------------------------------------------ settings
    cfg_argv = ["ask", "年报什么时候公布", "--offline"]
    add(
        Case(
            "config-wrong-type",
            cfg_argv,
            (2,),
            ("config.toml", "llm_timeout", "数字"),
            env={"REPORT_AGENT_CONFIG": "config.toml"},
        ),
        {"config.toml": 'llm_timeout = "fast"\n'},
    )
    add(
        Case(
            "config-not-toml",
            cfg_argv,
            (2,),
            ("config.toml", "格式错误"),
            env={"REPORT_AGENT_CONFIG": "config.toml"},
        ),
        {"config.toml": "llm_timeout: 60\n[[[\n"},
    )
    add(
        Case(
            "config-section-not-table",
            [*draft, "-o", "out"],
            (2,),
            ("config.toml", "[report-agent]"),
            env={"REPORT_AGENT_CONFIG": "config.toml"},
        ),
        {**base, "config.toml": 'report-agent = "x"\n'},
    )
    add(
        Case(
            "env-wrong-type",
            cfg_argv,
            (2,),
            ("REPORT_AGENT_LLM_CONCURRENCY",),
            env={"REPORT_AGENT_LLM_CONCURRENCY": "many"},
        ),
        {},
    )
    add(
        Case(
            "env-cache-not-bool",
            ["search", "依申请公开"],
            (2,),
            ("REPORT_AGENT_CACHE",),
            env={"REPORT_AGENT_CACHE": "perhaps"},
        ),
        {},
    )

    # ------------------------------------------------------------------ the index
    idx = {"REPORT_AGENT_INDEX_PATH": "index"}
    docs = {"docs/a.txt": "甲局2023年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息12条。\n"}
    add(
        Case("search-index-is-a-file", ["search", "公开"], (2,), ("index", "文件"), env=idx, own_index=True),
        {"index": "not a folder"},
    )
    add(
        Case(
            "ingest-index-parent-is-a-file",
            ["ingest", "docs"],
            (2,),
            ("index/sub", "文件"),
            env={"REPORT_AGENT_INDEX_PATH": "index/sub"},
            own_index=True,
        ),
        {**docs, "index": "x"},
    )
    add(
        Case(
            "ask-index-is-a-file",
            ["ask", "年报什么时候公布", "--offline"],
            (2,),
            ("index", "文件"),
            env=idx,
            own_index=True,
        ),
        {"index": "x"},
    )
    add(
        Case(
            "search-broken-registry",
            ["search", "公开"],
            (2,),
            ("index", "--rebuild"),
            env=idx,
            own_index=True,
            setup="index:broken-registry",
        ),
        docs,
    )
    add(
        Case(
            "search-broken-chroma",
            ["search", "公开"],
            (2,),
            ("index", "--rebuild"),
            env=idx,
            own_index=True,
            setup="index:broken-chroma",
        ),
        docs,
    )
    add(
        Case(
            "ingest-check-broken",
            ["ingest", "--check"],
            (2,),
            ("index", "--rebuild"),
            env=idx,
            own_index=True,
            setup="index:broken-registry",
        ),
        docs,
    )
    add(
        Case(
            "search-readonly-index",
            ["search", "公开"],
            (2,),
            ("index", "只读"),
            env=idx,
            own_index=True,
            setup="index:readonly",
        ),
        docs,
    )
    add(
        Case(
            "ingest-readonly-index",
            ["ingest", "docs"],
            (2,),
            ("index", "只读"),
            env=idx,
            own_index=True,
            setup="index:readonly",
        ),
        docs,
    )
    add(
        Case(
            "ingest-check-crashed",
            ["ingest", "--check"],
            (1,),
            ("入库未完成", "a.txt"),
            env=idx,
            own_index=True,
            setup="index:crashed",
        ),
        docs,
    )
    add(
        Case(
            "ingest-missing-path", ["ingest", "nothing"], (2,), ("nothing", "不存在"), env=idx, own_index=True
        ),
        {},
    )
    add(
        Case(
            "ingest-only-corrupt-file",
            ["ingest", "bad.docx"],
            (2,),
            ("bad.docx", "跳过"),
            env=idx,
            own_index=True,
        ),
        {"bad.docx": b"PK\x03\x04broken"},
    )
    add(
        Case(
            "ingest-unsupported-file",
            ["ingest", "a.xlsx"],
            (2,),
            ("a.xlsx", "不支持"),
            env=idx,
            own_index=True,
        ),
        {"a.xlsx": filled},
    )
    add(
        Case(
            "ingest-bad-meta",
            ["ingest", "docs", "--meta", "year=今年"],
            (2,),
            ("year",),
            env=idx,
            own_index=True,
        ),
        docs,
    )
    add(
        Case(
            "search-bad-section", ["search", "公开", "--section", "chapter9"], (2,), ("--section", "chapter9")
        ),
        {},
    )
    add(Case("search-empty-query", ["search", " "], (2,), ("检索内容不能为空",)), {})
    add(
        Case(
            "draft-index-is-a-file",
            [*draft, "-o", "out"],
            (0,),
            ("未能检索范文",),
            env=idx,
            own_index=True,
            outputs=outs,
        ),
        {**base, "index": "x"},
    )
    add(Case("eval-no-cases", ["eval", "cases"], (2,), ("cases", "评测用例")), {"cases/": b""})
    add(
        Case(
            "eval-report-in-proc",
            ["eval", "cases", "--report", "/proc/report-agent-test/r.html"],
            (2,),
            ("/proc/report-agent-test/r.html",),
        ),
        {"cases/": b""},
    )
    add(
        Case("eval-json-wrong-suffix", ["eval", "cases", "--json", "r.txt"], (2,), ("r.txt", ".json")),
        {"cases/": b""},
    )

    # ------------------------------------------------------------------ review and serve
    rep = {"r.md": report}
    add(Case("review-missing-path", ["review", "nothing"], (2,), ("nothing", "不存在")), {})
    add(Case("review-out-doc", ["review", "r.md", "-o", "s.doc"], (2,), ("s.doc", ".xlsx")), rep)
    add(
        Case("review-out-folder", ["review", "r.md", "-o", "sub"], (2,), ("sub", "文件夹")),
        {**rep, "sub/": b""},
    )
    add(
        Case(
            "review-out-in-proc",
            ["review", "r.md", "-o", "/proc/report-agent-test/s.xlsx"],
            (2,),
            ("/proc/report-agent-test/s.xlsx",),
        ),
        rep,
    )
    add(Case("review-out-under-a-file", ["review", "r.md", "-o", "r.md/s.xlsx"], (2,), ("r.md", "文件")), rep)
    add(Case("review-bad-format-option", ["review", "r.md", "-f", "xml"], (2,), ("--format", "xml")), rep)
    add(
        Case("review-corrupt-file", ["review", "bad.docx"], (0,), ("bad.docx", "无法读取")),
        {"bad.docx": b"PK\x03\x04broken"},
    )
    add(Case("serve-port-out-of-range", ["serve", "--port", "70000"], (2,), ("端口", "70000")), {})
    add(Case("serve-public-without-password", ["serve", "--host", "0.0.0.0"], (2,), ("0.0.0.0", "密码")), {})

    # ------------------------------------------------------------------ concurrent runs
    for i in (1, 2, 3):
        add(
            Case(
                f"concurrent-draft-{i}",
                [*draft, "-o", "../concurrent-draft-shared/out"],
                (0,),
                ("起草完成",),
                group="draft",
                check="concurrent-draft",
            ),
            {**base} if i > 1 else {**base, "../concurrent-draft-shared/out/draft.md": "我改过的草稿"},
        )
    for i in (1, 2):
        add(
            Case(
                f"concurrent-ingest-{i}",
                ["ingest", "docs"],
                (0,),
                ("入库完成",),
                env={"REPORT_AGENT_INDEX_PATH": "../concurrent-ingest-index"},
                own_index=True,
                group="ingest",
                check="concurrent-ingest",
            ),
            {
                f"docs/d{i}-{n}.txt": f"第{i}{n}号局2023年政府信息公开工作年度报告\n一、总体情况\n主动公开信息{n}条。\n"
                for n in range(12)
            },
        )

    out: list[Case] = []
    for case, files in cases:
        folder = root / case.name
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder, files)
        out.append(case)
    return out


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    if target.exists():
        shutil.rmtree(target)
    cases = make_cases(target)
    listing = [
        {"name": c.name, "argv": c.argv, "codes": list(c.codes), "words": list(c.words)} for c in cases
    ]
    (target / "cases.json").write_text(json.dumps(listing, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(cases)} cases in {target}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
