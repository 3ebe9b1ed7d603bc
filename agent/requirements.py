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

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.narrative import split_sentences

ObligationKind = Literal["deadline", "quantity", "action"]
Comparator = Literal[">=", "<="]

CN_NUM = "一二三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)} | {"两": 2, "〇": 0}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# --------------------------------------------------------------------------- the model


class Obligation(BaseModel):
    """A concrete, checkable duty inside a requirement."""

    text: str
    kind: ObligationKind
    line: int = 0
    number: float | None = None
    unit: str | None = None
    comparator: Comparator | None = None
    period: str | None = None  # 年内, 全年, 每日, 每月 …
    deadline: str | None = None  # 年底前, 6月底前, 年内 …
    modal: str | None = None  # 要, 应, 确保 … when the duty is carried by a modal

    def describe(self) -> str:
        """Short Chinese statement of what is required: “至少1次（年内）”, “年底前”."""
        parts: list[str] = []
        if self.number is not None:
            sign = {">=": "至少", "<=": "不超过", None: ""}[self.comparator]
            parts.append(f"{sign}{_fmt_number(self.number)}{self.unit or ''}")
        if self.period:
            parts.append(f"（{self.period}）" if parts else self.period)
        if self.deadline and self.deadline != self.period:
            parts.append(self.deadline)
        return "".join(parts) or "须落实"


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


def _fmt_number(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# --------------------------------------------------------------------------- numbers


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23, 两 → 2; None if not a Chinese number < 100."""
    if not s or any(c not in _CN_VALUE and c != "十" for c in s):
        return None
    if "十" not in s:
        return _CN_VALUE[s] if len(s) == 1 else None
    head, _, tail = s.partition("十")
    tens = _CN_VALUE.get(head, -1) if head else 1
    ones = _CN_VALUE.get(tail, -1) if tail else 0
    return None if tens < 0 or ones < 0 else tens * 10 + ones


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


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


# --------------------------------------------------------------------------- obligations


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_QTY_UNITS = "个工作日|工作日|人次|小时|次|场|期|批|项|个|篇|条|件|家|名|人|天|日|周|%|％"
_AT_LEAST = "至少|不少于|不低于|不得少于|最少|达到"
_AT_MOST = "不超过|不多于|最多|不得超过"
_QTY = re.compile(
    rf"(?P<pre>{_AT_LEAST}|{_AT_MOST})?(?<![第\d.“\"月])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{_QTY_UNITS})"
    rf"(?P<post>以上|及以上|以内|以下|之内|内)?(?![\d”\"性])"
)
_PERIODS = "年内|年度内|全年|每年|每半年|每季度|每个季度|每月|每周|每日|每天|每个工作日"
_CN_QTY = re.compile(
    rf"(?:(?P<pre>{_AT_LEAST}|{_AT_MOST})|(?P<per>{_PERIODS}))"
    rf"[^，。；]{{0,12}}?(?P<num>[一两二三四五六七八九十]{{1,3}})(?P<unit>次|场|期|批|项|篇|名)(?!性)"
)
_PERIOD = re.compile(_PERIODS)
_DEADLINE = re.compile(
    r"(?:(?:20\d{2}\s*年)?(?:年底|年末|年中|上半年|下半年|第?[一二三四1-4]季度末?"
    r"|\d{1,2}\s*月(?:底|末|份|\d{1,2}\s*日|[上中下]旬)?)\s*(?:之?前|以前))"
)
_TIME_PREFIX = re.compile(r"^(?:在|于|自|从|到|均)?.{0,14}?(?:前|内|时|后|期间|之际)$")
_MODAL = re.compile(
    r"必须|务必|确保|严格|应当|(?<![必务])须(?!知)"
    r"|(?<![回响相适反对供效呼答理])应(?![对用急邀届收])"
    r"|(?<![重主需纲摘提首概必只不纪])要(?![求素点闻件害务])"
)
_ADVERBS = re.compile(
    r"^(?:及时|进一步|重点|切实|认真|积极|充分|不断|更加|更|全面|深入|持续|加快|按时|主动|依法|均|都|"
    r"在[^，]{0,12}?前，?|严格)+"
)
_SOFT_VERBS = _split(
    """加强 提高 提升 深化 推进 推动 强化 细化 完善 健全 鼓励 注重 重视 坚持 做好 熟悉 按照 围绕 引导 改进
    增强 优化 发挥 注意 把握 努力 力争 着力 有序 扎实 突出 亲自"""
)
_VAGUE_END = re.compile(
    r"(?:要求|责任|工作|精神|部署|能力|水平|意识|作用|质量|实效|重点|顺利开展|有序开展|落到实处|到位|取得实效|新台阶|问题)$"
)


def _clauses(sentence: str) -> list[str]:
    """Comma clauses of a sentence, a clause that is only a time adverbial joined to the next."""
    parts = [p.strip() for p in re.split(r"[，,]", sentence.rstrip("。；;！？!?").strip()) if p.strip()]
    groups: list[str] = []
    pending = ""
    for p in parts:
        piece = f"{pending}，{p}" if pending else p
        core = _MODAL.sub("", p)
        if _TIME_PREFIX.match(core) and len(core) <= 14 and p is not parts[-1]:
            pending = piece
            continue
        groups.append(piece)
        pending = ""
    if pending:
        groups.append(pending)
    return groups


def _quantity(clause: str) -> tuple[float, str, Comparator, str | None] | None:
    m = _QTY.search(clause)
    if m:
        pre, post = m.group("pre") or "", m.group("post") or ""
        comp: Comparator = (
            "<=" if pre in _AT_MOST.split("|") or post in ("以内", "以下", "之内", "内") else ">="
        )
        return float(m.group("num")), m.group("unit"), comp, None
    c = _CN_QTY.search(clause)
    if c:
        value = cn_to_int(c.group("num"))
        if value:
            pre = c.group("pre") or ""
            comp = "<=" if pre in _AT_MOST.split("|") else ">="
            return float(value), c.group("unit"), comp, c.group("per")
    return None


def _concrete_modal(clause: str) -> str | None:
    """The modal word when the clause is a strong-modal duty with a concrete object, else None."""
    m = _MODAL.search(clause)
    if not m:
        return None
    after = _ADVERBS.sub("", clause[m.end() :].lstrip("，"))
    if len(after) < 4 or after.startswith(_SOFT_VERBS) or _VAGUE_END.search(clause):
        return None
    return m.group(0)


def _obligation(clause: str, line: int) -> Obligation | None:
    qty = _quantity(clause)
    dl = _DEADLINE.search(clause)
    period_m = _PERIOD.search(clause)
    period = period_m.group(0) if period_m else None
    deadline = re.sub(r"^(?:今年|本年)", "", dl.group(0)).replace(" ", "") if dl else None
    if qty is not None:
        number, unit, comp, cn_period = qty
        return Obligation(
            text=clause,
            kind="quantity",
            line=line,
            number=number,
            unit=unit,
            comparator=comp,
            period=period or cn_period,
            deadline=deadline,
        )
    if deadline or period in ("年内", "年度内"):
        return Obligation(
            text=clause,
            kind="deadline",
            line=line,
            deadline=deadline or period,
            period=period,
            modal=_concrete_modal(clause),
        )
    modal = _concrete_modal(clause)
    if modal or (period and period.startswith("每")):
        return Obligation(text=clause, kind="action", line=line, period=period, modal=modal)
    return None


def extract_obligations(block: str, first_line: int) -> list[Obligation]:
    """The obligations in the text of one item (``block`` starts at line ``first_line``)."""
    found: list[Obligation] = []
    for sentence in split_sentences(block, None, first_line):
        for clause in _clauses(sentence.text):
            ob = _obligation(clause, sentence.line)
            if ob is not None:
                found.append(ob)
    return found


# --------------------------------------------------------------------------- the notice


def _item_title(rest: str) -> str:
    head = re.split(r"[。；;：:！？!?]", rest, maxsplit=1)[0].strip()
    return head or rest.strip()


def _join_lines(lines: list[str]) -> str:
    """Paragraphs keep their line breaks; a line broken mid-sentence (PDF wrapping) is joined."""
    out = ""
    for line in lines:
        sep = "" if not out else "\n" if re.search(r"[。；;！？!?：:]$", out) else ""
        out += sep + line
    return out


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


def read_notice(path: Path) -> Notice:
    """Read and parse a notice file (txt/md/docx/html/pdf). Raises InputError when unusable."""
    from agent.errors import InputError
    from agent.report_reader import read_text

    text = read_text(Path(path))
    if not text.strip():
        raise InputError("文件是空的", path=str(path))
    notice = parse_notice(text, source=str(path))
    if not notice.requirements:
        raise InputError("未找到编号条目（如“一、”“（一）”“1.”），不像是一份政务公开工作要点", path=str(path))
    return notice


# --------------------------------------------------------------------------- renderings


def requirement_dict(req: Requirement) -> dict[str, object]:
    data = req.model_dump()
    data["obligations"] = [_obligation_dict(o) for o in req.obligations]
    return data


def _obligation_dict(o: Obligation) -> dict[str, object]:
    data: dict[str, object] = {k: v for k, v in o.model_dump().items() if v is not None}
    if o.number is not None and float(o.number).is_integer():
        data["number"] = int(o.number)
    data["requirement"] = o.describe()
    return data


def requirements_to_json(notice: Notice) -> str:
    """A JSON list of the items: id, parent, title, text, line, numbered, obligations[…]."""
    return json.dumps([requirement_dict(r) for r in notice.requirements], ensure_ascii=False, indent=2)


_KIND_CN = {"deadline": "期限", "quantity": "数量", "action": "行动"}


def requirements_text(notice: Notice) -> str:
    """Plain lines for people: header, warnings, then each item and its obligations."""
    out = [f"工作要点：{notice.title or '（未识别标题）'}"]
    out.append(
        f"机关：{notice.agency or '未识别'}　年度：{notice.year or '未识别'}　共 {len(notice.requirements)} 项"
    )
    for w in notice.warnings:
        out.append(f"注意：{w}")
    parent = None
    for r in notice.requirements:
        if r.parent and r.parent != parent:
            out.append("")
            out.append(r.parent)
        parent = r.parent
        mark = "" if r.numbered else "（编号为推定）"
        out.append(f"  {r.id} {r.title}{mark}　第{r.line}行")
        for o in r.obligations:
            out.append(f"      · [{_KIND_CN[o.kind]}] {o.text}（{o.describe()}）")
    return "\n".join(out) + "\n"


def write_requirements_xlsx(notice: Notice, path: Path) -> None:
    """One row per obligation (a requirement without obligations gets one row); atomic write."""
    from openpyxl import Workbook

    from agent.fsutil import write_with

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "工作要点"
    header = ["编号", "上级标题", "事项", "可核查的要求", "类型", "期限", "数量", "周期", "行号"]
    ws.append(header)
    for r in notice.requirements:
        rows: list[Obligation | None] = list(r.obligations) or [None]
        for o in rows:
            ws.append(
                [
                    r.id + ("" if r.numbered else "（推定）"),
                    r.parent,
                    r.title,
                    o.text if o else "",
                    _KIND_CN[o.kind] if o else "",
                    (o.deadline or "") if o else "",
                    (f"{o.describe()}" if o and o.number is not None else ""),
                    (o.period or "") if o else "",
                    o.line if o else r.line,
                ]
            )
    style_sheet(ws, [10, 28, 30, 48, 8, 12, 14, 10, 8])
    if notice.warnings:
        wsw = wb.create_sheet("提示")
        wsw.append(["编号问题"])
        for w in notice.warnings:
            wsw.append([w])
        style_sheet(wsw, [80])
    write_with(Path(path), lambda tmp: wb.save(str(tmp)))


def style_sheet(ws: Any, widths: list[int]) -> None:
    """Bold, frozen header row; column widths; wrapped, top-aligned cells (openpyxl worksheet)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
