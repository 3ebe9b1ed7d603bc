"""Reading a notes file safely, before it is parsed (kept apart from the parsing in ``notes``).

* Notes must be Markdown or plain text: a Word, PDF or Excel file given as notes (by its name or by
  its content) is refused with a sentence saying how to turn it into text. (Reading a .docx's text
  would lose its headings — Word headings are styles, not ``#`` — so the bullets would land under
  the wrong parts; a clear message is the safer choice.)
* At most 2 MB (:data:`agent.textfile.NOTES_LIMIT`) and :data:`MAX_ITEMS` bullets (a year's notes
  are a few hundred at most; drafting checks every sentence against every bullet, so time and
  memory grow faster than the notes); encodings as in :mod:`agent.textfile`.
* Control characters are removed (they cannot go into a .docx), with a warning naming the lines.
* HTML pasted from a web page is not copied into the draft: ``<script>``/``<style>`` elements go
  with their content, other tags are removed and their text kept, entities are decoded; a warning
  names the lines.
* Headings written twice are reported (their bullets are all kept).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from agent.errors import InputError
from agent.textfile import NOTES_LIMIT, control_characters, decode_text, read_bytes, strip_control

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text", "")
MAX_ITEMS = 1000
_OFFICE = {
    ".docx": "Word",
    ".doc": "Word",
    ".wps": "WPS 文字",
    ".rtf": "RTF",
    ".odt": "OpenDocument",
    ".pdf": "PDF",
    ".xlsx": "Excel",
    ".xls": "Excel",
    ".et": "WPS 表格",
}
_MAGIC = (
    (b"PK\x03\x04", "Word/Excel（压缩包格式）"),
    (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0", "旧版 Word/Excel"),
)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_HEADING = re.compile(r"^\s*(#{1,6})\s*(.+?)\s*#*\s*$")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])\s*")


def _refuse_office(path: Path, kind: str) -> InputError:
    return InputError(
        f"要点文件应为 Markdown 或纯文本（.md 或 .txt），这是一个 {kind} 文件。请在 Word/WPS 中“另存为”"
        "纯文本（.txt，编码选 UTF-8），或把要点复制到一个 .md 文件中（写法见 examples/notes-2024.md）",
        path=str(path),
    )


def read_notes_text(path: Path) -> tuple[str, list[str]]:
    """The text of a notes file, cleaned, and the warnings about what was cleaned."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _OFFICE:
        raise _refuse_office(path, _OFFICE[suffix])
    data = read_bytes(path, NOTES_LIMIT, "要点文件")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise _refuse_office(path, kind)
    decoded = decode_text(data, str(path))
    text, warnings = decoded.text, list(decoded.warnings)
    items = count_items(text)
    if items > MAX_ITEMS:
        raise InputError(
            f"要点文件有 {items} 条要点，超过上限 {MAX_ITEMS} 条（一年的要点一般不超过几百条）；"
            "请确认选对了文件，或精简、合并后再起草",
            path=str(path),
        )
    bad = control_characters(text)
    if bad:
        text = strip_control(text)
        warnings.append(f"第{_lines(bad)}行含有控制字符（不可见的特殊字符），已删除")
    text, html_lines = strip_html(text)
    if html_lines:
        warnings.append(
            f"第{_lines(html_lines)}行含有 HTML 标记，已去掉标记、只保留文字（脚本和样式整段删除）"
        )
    return text, [f"{path}: {w}" for w in warnings + duplicate_headings(text)]


def count_items(text: str) -> int:
    """Lines that will be bullets: not blank, not headings, comments or the front matter."""
    body = text
    if body.startswith("---"):
        end = body.find("\n---", 3)
        body = body[end + 4 :] if end >= 0 else body
    return sum(1 for ln in body.split("\n") if ln.strip() and not ln.lstrip().startswith(("#", "<!--")))


def _lines(numbers: list[int], limit: int = 10) -> str:
    shown = "、".join(str(n) for n in numbers[:limit])
    return shown + (f" 等 {len(numbers)} " if len(numbers) > limit else "")


def strip_html(text: str) -> tuple[str, list[int]]:
    """``text`` without HTML (scripts and styles with their content, other tags without), line
    numbers kept; and the lines where HTML was found. ``<!-- … -->`` comments are left alone."""
    if "<" not in text:
        return text, []
    found: set[int] = set()

    def blank(m: re.Match[str]) -> str:
        first = text.count("\n", 0, m.start()) + 1
        found.update(range(first, first + m.group(0).count("\n") + 1))
        return "\n" * m.group(0).count("\n")

    text = _SCRIPT.sub(blank, text)
    out: list[str] = []
    for i, line in enumerate(text.split("\n"), 1):
        if _TAG.search(line):
            found.add(i)
            line = html.unescape(_TAG.sub("", line))
        out.append(line)
    return "\n".join(out), sorted(found)


def duplicate_headings(text: str) -> list[str]:
    """One warning per heading written again (same level and words, numbering ignored)."""
    seen: dict[tuple[int, str], int] = {}
    warnings: list[str] = []
    for i, line in enumerate(text.split("\n"), 1):
        m = _HEADING.match(line)
        if not m:
            continue
        key = (len(m.group(1)), re.sub(r"\s+", "", _ENUM.sub("", m.group(2))))
        if key in seen:
            warnings.append(
                f"第{i}行：标题“{m.group(2)}”与第{seen[key]}行重复，两处的要点都已保留，请确认是否应合并"
            )
        else:
            seen[key] = i
    return warnings
