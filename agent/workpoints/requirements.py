"""A 政务公开工作要点 notice as a list of requirements, each with its checkable obligations.

Structure
---------
Items are the lines that open with a number: ``一、`` (rank 1), ``（一）`` / ``(一)`` (rank 2,
half-width brackets accepted), ``1.`` / ``1、`` (rank 3), ``（1）`` (rank 4), ``①`` (rank 5).
An item's parent is the nearest earlier item of a smaller rank, so a notice numbered only
``1. 2. 3.`` works as well as the usual ``一、（一）``. Requirements are the *leaves*: ``三、加强平台
建设 提高公开质量`` is the parent heading of ``三（一）`` and ``三（二）``; a top-level item without
sub-items is itself a requirement. Ids are built from the numbers *as printed* (brackets made
full-width): ``三（二）``, ``一（一）1``, ``二、1``.

Numbering defects are reported, never repaired silently:

* a gap (seed 002 goes from 四（二） to 四（四）) keeps the printed id ``四（四）`` and adds the
  warning ``四（三）缺失：（二）之后是（四）``; a repeated or backwards number is reported too;
* a heading that lost its number (seed 000: ``加强政策发布解读`` between ``（一）…`` and ``（三）``
  items) is a short line (≤ 30 characters, no sentence punctuation) standing alone between a
  sentence end or blank line and the following text. It takes the rank of the last stand-alone
  heading (1 if none yet) and the next number of its siblings; the requirement gets
  ``numbered=False`` and the notice a warning ``第17行“…”没有编号，按位置推定为一（二）``.

The text after ``相关附件``/``附件：``/``抄送``, a date line or a signature line ends the last item.

Obligations
-----------
Each sentence of a requirement is cut at its commas into clauses; a clause that is only a time
adverbial (``在今年年底前``, ``均应在决策前``, ``…时``) is joined to the clause after it. A clause
(group) is an obligation when it carries

* a **quantity** — an Arabic number with a counting unit (次 场 期 项 个 篇 件 名 人次 个工作日 …),
  or a Chinese number (一次, 两场) right after 至少/不少于/年内/每年…; not an ordinal (第6版), not a
  hotline in quotes (“12345”). 至少/不少于/不低于/以上 and a bare number mean “at least” (``>=``),
  不超过/以内/以下/内 mean “at most” (``<=``). 年内/全年/每年/每月/每日… is kept as ``period``;
* a **deadline** — a calendar deadline (年底前, 6月底前, 10月1日前, 上半年, 第三季度) or 年内;
* a **strong modal** (要, 应/应当, 须/必须, 确保, 严格) whose verb is concrete and whose object is
  not vague: the verb after the modal (adverbs such as 及时/进一步/重点 skipped) must not be a
  soft verb (加强 提高 提升 深化 推进 完善 细化 做好 鼓励 按照 …) and the clause must not end in a
  vague object (…要求, …责任, …工作, …能力, 顺利开展 …). So ``严格落实网络意识形态责任制`` and
  ``确保门户网站…安全平稳运营`` are obligations, ``要及时做好多元化的解读、释义工作`` is not;
* or a fixed **frequency** (每日查看处理待办事项) — an action with its ``period``.

The kind is ``quantity`` when a number is present, else ``deadline``, else ``action``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from agent.workpoints.obligations import CN_NUM, Obligation, cn_to_int, extract_obligations, int_to_cn

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# --------------------------------------------------------------------------- the model


class Requirement(BaseModel):
    """One item of the notice (a leaf of its numbering)."""

    id: str
    parent: str = ""  # the enclosing heading as printed, "" at the top level
    title: str
    text: str
    line: int
    numbered: bool = True  # False: the heading had lost its number and the id is inferred
    obligations: list[Obligation] = Field(default_factory=list)


class Notice(BaseModel):
    title: str = ""
    agency: str | None = None
    year: int | None = None
    source: str = ""
    requirements: list[Requirement] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def get(self, req_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == req_id), None)


# --------------------------------------------------------------------------- item markers

_LEAD = re.compile(r"^[\s\u3000#*>]*")
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{CN_NUM}]{{1,3}})\s*[、．.]\s*")),
    (2, re.compile(rf"^[（(]\s*([{CN_NUM}]{{1,3}})\s*[）)]\s*[、．.]?\s*")),
    (3, re.compile(r"^(\d{1,2})\s*(?:[、．]|\.(?!\d))\s*")),
    (4, re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*")),
    (5, re.compile(rf"^([{_CIRCLED}])\s*")),
)
_TABLE_LINE = re.compile(r"[|\t]")  # table rows (pipe or tab separated) are never items
_SENTENCE_PUNCT = re.compile(r"[。；;：:，,！？!?、]")
_STOP_LINE = re.compile(
    r"^(?:相关附件|附\s*件\s*\d*\s*[:：]?|抄\s*送|印\s*发|联系人|联系电话|[（(]此件[^）)]*[）)]"
    r"|(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日)\s*$"
    r"|^(?:相关附件|附件\s*\d*\s*[:：])"
)
_AGENCY_SUFFIX = re.compile(r"(?:局|委员会|委|办公室|办公厅|厅|政府|中心|院|办)$")


def _marker(line: str) -> tuple[int, int, str, str] | None:
    """(rank, number, printed marker, rest of line) when the line opens with an item number."""
    body = _LEAD.sub("", line).rstrip()
    for rank, pattern in _MARKERS:
        m = pattern.match(body)
        if not m:
            continue
        raw = m.group(1)
        if rank in (1, 2):
            value = cn_to_int(raw)
        elif rank == 5:
            value = _CIRCLED.index(raw) + 1
        else:
            value = int(raw)
        rest = body[m.end() :].strip().strip("*").strip()
        if value and rest:
            return rank, value, m.group(0).strip(), rest
    return None


def _part(rank: int, n: int) -> str:
    """The id part of a number at a rank: 三, （二）, 1, （1）, ①."""
    if rank == 1:
        return int_to_cn(n)
    if rank == 2:
        return f"（{int_to_cn(n)}）"
    if rank == 3:
        return str(n)
    if rank == 4:
        return f"（{n}）"
    return _CIRCLED[n - 1] if n <= len(_CIRCLED) else f"({n})"


# --------------------------------------------------------------------------- the outline


@dataclass
class _Node:
    rank: int
    number: int
    heading: str  # the line as printed (without markdown)
    rest: str  # the line after its number
    line: int
    numbered: bool = True
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    body: list[tuple[int, str]] = field(default_factory=list)  # (line, text) after the heading line
    standalone: bool = False  # a heading on a line of its own (no sentence after it)

    @property
    def id(self) -> str:
        own = _part(self.rank, self.number)
        if self.parent is None:
            return own
        up = self.parent.id
        return f"{up}、{own}" if self.parent.rank == 1 and len(up) <= 3 and self.rank >= 3 else up + own


def _is_bare_heading(lines: list[str], i: int, title_index: int) -> bool:
    """A short stand-alone line without number or punctuation: a heading that lost its number."""
    text = lines[i].strip()
    if i <= title_index or not (2 <= len(text) <= 30) or _SENTENCE_PUNCT.search(text):
        return False
    if text[0] in "（(“《" or text[-1] in "）)”》" or re.search(r"\d", text) or "." in text:
        return False
    if (
        not re.search(r"[\u4e00-\u9fff]{2}", text)
        or _AGENCY_SUFFIX.search(text)
        or _TABLE_LINE.search(lines[i])
    ):
        return False
    prev = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
    if prev and lines[i - 1].strip() and not re.search(r"[。；;！？!?：:]$", prev):
        return False
    nxt = next((lines[j].strip() for j in range(i + 1, len(lines)) if lines[j].strip()), "")
    return bool(nxt) and not _STOP_LINE.search(nxt)


@dataclass
class _Outline:
    roots: list[_Node] = field(default_factory=list)
    nodes: list[_Node] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _build_outline(lines: list[str], title_index: int) -> _Outline:
    outline = _Outline()
    stack: list[_Node] = []
    last_heading_rank = 0
    for i, raw in enumerate(lines):
        text = raw.strip()
        if not text or i == title_index:
            continue
        if outline.nodes and _STOP_LINE.search(text):
            break
        hit = None if _TABLE_LINE.search(raw) else _marker(raw)
        if hit is not None:
            rank, number, _, rest = hit
            node = _Node(rank, number, _LEAD.sub("", raw).strip(), rest, i + 1)
            node.standalone = not _SENTENCE_PUNCT.search(rest.rstrip("。")) and len(rest) <= 30
        elif _is_bare_heading(lines, i, title_index):
            rank = last_heading_rank or 1
            node = _Node(rank, 0, text, text, i + 1, numbered=False, standalone=True)
        elif stack:
            stack[-1].body.append((i + 1, text))
            continue
        else:
            continue  # preamble
        while stack and stack[-1].rank >= node.rank:
            stack.pop()
        node.parent = stack[-1] if stack else None
        siblings = node.parent.children if node.parent else outline.roots
        if not node.numbered:
            same = [s for s in siblings if s.rank == node.rank]
            node.number = same[-1].number + 1 if same else 1
            outline.warnings.append(f"第{node.line}行“{text}”没有编号，按位置推定为{node.id}")
        siblings.append(node)
        outline.nodes.append(node)
        stack.append(node)
        if node.standalone:
            last_heading_rank = node.rank
    outline.warnings.extend(_numbering_warnings(outline))
    return outline


def _numbering_warnings(outline: _Outline) -> list[str]:
    groups: list[tuple[str, list[_Node]]] = [("", outline.roots)]
    groups += [(n.id, n.children) for n in outline.nodes if n.children]
    found: list[str] = []
    for prefix, children in groups:
        by_rank: dict[int, list[_Node]] = {}
        for c in children:
            by_rank.setdefault(c.rank, []).append(c)
        for rank, items in by_rank.items():
            found.extend(_sequence_warnings(prefix, rank, items))
    return found


def _sequence_warnings(prefix: str, rank: int, items: list[_Node]) -> list[str]:
    found: list[str] = []
    sep = "、" if prefix and len(prefix) <= 3 and rank >= 3 else ""
    prev = 0
    for node in items:
        if node.number > prev + 1:
            missing = "、".join(prefix + sep + _part(rank, n) for n in range(prev + 1, node.number))
            before = f"{_part(rank, prev)}之后是" if prev else "第一项是"
            found.append(f"{missing}缺失：{before}{_part(rank, node.number)}（第{node.line}行）")
        elif node.number <= prev:
            found.append(
                f"{prefix}{sep}{_part(rank, node.number)}编号重复或倒序："
                f"{_part(rank, prev)}之后是{_part(rank, node.number)}（第{node.line}行）"
            )
        prev = node.number
    return found


# --------------------------------------------------------------------------- title, agency, year

_META = re.compile(r"\s*(?:发布时间|发布日期|来源|索引号|浏览次数|字号)\s*[:：].*$")
_AGENCY_IN_TITLE = re.compile(
    r"^(?:\d{4}\s*年度?)?(.{2,40}?(?:委员会|办公室|办公厅|政府|局|委|厅|中心|办))"
    r"(?:\d{4}\s*年度?)?(?:关于|政务公开|信息公开|工作要点|年度)"
)


def _title_index(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if line.strip():
            return -1 if _marker(line) else i
    return -1


def _title(lines: list[str], index: int) -> str:
    if index < 0:
        return ""
    return _META.sub("", _LEAD.sub("", lines[index])).strip().strip("*").strip()


def _agency_and_year(title: str, text: str) -> tuple[str | None, int | None]:
    m = re.search(r"(20\d{2})\s*年", title) or re.search(r"(20\d{2})\s*年", text[:300])
    year = int(m.group(1)) if m else None
    a = _AGENCY_IN_TITLE.search(title)
    return (a.group(1) if a else None), year


# --------------------------------------------------------------------------- the notice


def _item_title(rest: str) -> str:
    head = re.split(r"[。；;：:！？!?]", rest, maxsplit=1)[0].strip()
    return head or rest.strip()


_SENTENCE_END = frozenset("。；;！？!?：:")


def _join_lines(lines: list[str]) -> str:
    """Paragraphs keep their line breaks; a line broken mid-sentence (PDF wrapping) is joined."""
    parts: list[str] = []
    tail = ""  # the last two characters so far: looking only at them keeps this linear
    for line in lines:
        # a sentence end, also one just before a final line break (as the regex ``[。…]$`` matched)
        if tail and (tail[-1] in _SENTENCE_END or (tail[-1] == "\n" and tail[-2:-1] in _SENTENCE_END)):
            parts.append("\n")
            tail = (tail + "\n")[-2:]
        parts.append(line)
        tail = (tail + line)[-2:]
    return "".join(parts)


def _requirement(node: _Node) -> Requirement:
    text = _join_lines([node.rest] + [t for _, t in node.body])
    # rebuild the block with its original line spacing so sentence line numbers hold
    last = node.body[-1][0] if node.body else node.line
    by_line = dict(node.body)
    block_lines = [node.rest] + [by_line.get(n, "") for n in range(node.line + 1, last + 1)]
    return Requirement(
        id=node.id,
        parent=node.parent.heading if node.parent else "",
        title=_item_title(node.rest),
        text=text,
        line=node.line,
        numbered=node.numbered,
        obligations=extract_obligations("\n".join(block_lines), node.line),
    )


def _clean_line(line: str) -> str:
    """Without a trailing CR, markdown bold markers and no-break spaces."""
    return line.rstrip("\r").replace("**", "").replace("\xa0", " ")


def parse_notice(text: str, source: str = "") -> Notice:
    """The requirements of a work-point notice; see the module docstring for the rules.

    Raises nothing: a text without numbered items gives a Notice without requirements and a
    warning (the CLI turns that into an InputError naming the file).
    """
    lines = [_clean_line(line) for line in text.replace("\ufeff", "").split("\n")]
    ti = _title_index(lines)
    title = _title(lines, ti)
    agency, year = _agency_and_year(title, text)
    outline = _build_outline(lines, ti)
    reqs = [_requirement(n) for n in outline.nodes if not n.children]
    warnings = list(outline.warnings)
    headings = {n.id: n.line for n in outline.nodes if n.children}
    reqs, dup_warnings = _unique_ids(reqs, headings)
    warnings += dup_warnings
    if not reqs:
        warnings.append("未找到编号条目（如“一、”“（一）”“1.”），无法识别为工作要点")
    return Notice(title=title, agency=agency, year=year, source=source, requirements=reqs, warnings=warnings)


def _unique_ids(reqs: list[Requirement], headings: dict[str, int]) -> tuple[list[Requirement], list[str]]:
    """A repeated id (also one already used by a heading) becomes ``id@line``, with a warning."""
    seen = dict(headings)
    warnings: list[str] = []
    for r in sorted(reqs, key=lambda r: r.line):
        if r.id in seen:
            warnings.append(f"编号“{r.id}”重复（第{seen[r.id]}行、第{r.line}行），后者记为“{r.id}@{r.line}”")
            r.id = f"{r.id}@{r.line}"
        else:
            seen[r.id] = r.line
    return reqs, warnings


NOTICE_LIMIT = 2 * 2**20  # a real notice is a few dozen KB; parsing keeps ~50 bytes per byte of it


def read_notice(path: Path) -> Notice:
    """Read and parse a notice file (txt/md/docx/html/pdf). Raises InputError when unusable."""
    from agent.errors import InputError
    from agent.report.reader import read_text
    from agent.textfile import check_input_file

    path = Path(path)
    if path.suffix.lower() not in (".docx", ".pdf"):
        check_input_file(path, NOTICE_LIMIT, "工作要点文件")
    text = read_text(path)
    if len(text.encode("utf-8")) > NOTICE_LIMIT:  # a .docx/.pdf: the limit is on its text
        raise InputError(
            f"工作要点文件的文字太多（超过 {NOTICE_LIMIT // 2**20} MB），不像是一份工作要点；请确认选对了文件",
            path=str(path),
        )
    if not text.strip():
        raise InputError("文件是空的", path=str(path))
    notice = parse_notice(text, source=str(path))
    if not notice.requirements:
        raise InputError("未找到编号条目（如“一、”“（一）”“1.”），不像是一份政务公开工作要点", path=str(path))
    return notice
