"""Split a document into retrievable chunks, along the structure of its kind.

* annual reports: by section (:func:`agent.report.sections.split_report`), then by the （一）（二）…
  sub-topics of the narrative sections — path ``一、总体情况 > （二）主动公开情况``;
* work-point notices: by numbered item — locator ``三（二）``;
* regulations: by article — locator ``第三十三条`` (its 款 and 项 stay inside);
* implementation reports and other texts: by heading (numbered or not) — path of the headings;
* the format spec (markdown): by ``#`` heading.

Pieces longer than the token budget are cut at sentence ends with an overlap. Every chunk
carries the document's metadata; its id is the sha256 of document id, section path and text,
so re-ingesting unchanged text yields the same ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from agent.corpus.chunk_text import CN_NUM, MAX_TOKENS, OVERLAP_TOKENS, prepare_text, split_to_budget
from agent.corpus.meta import DocMeta

SECTION_KEYS = (
    "preamble",
    "overview",
    "proactive",
    "requests",
    "review",
    "problems",
    "other",
    "item",
    "article",
)


@dataclass(slots=True)
class Piece:
    section: str  # a key of SECTION_KEYS
    path: str  # 一、总体情况 > （二）主动公开情况 | 第三十三条 | 三、… > （二）…
    locator: str  # 一（二） | 第三十三条 | 三（二） | "" (compact id of the place)
    text: str
    context: str = ""  # extra words for indexing (e.g. the chapter of an article)


@dataclass(slots=True)
class Chunk:
    id: str
    doc_id: str
    document: str
    title: str
    kind: str
    agency: str | None
    place: str | None
    year: int | None
    format: str | None
    status: str
    section: str
    section_path: str
    locator: str
    part: int
    text: str
    context: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def index_text(self) -> str:
        """What is embedded and indexed: title, place in the document, then the text."""
        return f"{self.title} {self.context} {self.section_path}\n{self.text}"

    def filter_metadata(self) -> dict[str, str | int]:
        """The fields retrieval filters on (all that an embedded collection stores)."""
        return {
            "kind": self.kind,
            "section": self.section,
            "year": self.year or 0,
            "agency": self.agency or "",
            "status": self.status,
        }

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (no None values)."""
        return {
            "doc_id": self.doc_id,
            "document": self.document,
            "title": self.title,
            "kind": self.kind,
            "agency": self.agency or "",
            "place": self.place or "",
            "year": self.year or 0,
            "format": self.format or "",
            "status": self.status,
            "section": self.section,
            "section_path": self.section_path,
            "locator": self.locator,
            "part": self.part,
            "context": self.context,
        }


def chunk_id(doc_id: str, path: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\x1f{path}\x1f{text}".encode()).hexdigest()


def chunk_document(
    meta: DocMeta,
    text: str,
    *,
    max_tokens: int = MAX_TOKENS,
    overlap: int = OVERLAP_TOKENS,
    pdf: bool = False,
) -> list[Chunk]:
    """The chunks of one document. ``pdf``: the text comes from a PDF (wrapped lines are joined)."""
    text = prepare_text(text, pdf=pdf)
    if meta.kind == "annual_report":
        pieces = report_pieces(text)
    elif meta.kind == "work_points":
        pieces = notice_pieces(text)
    elif meta.kind == "regulation":
        pieces = article_pieces(text)
    elif meta.kind == "spec":
        pieces = markdown_pieces(text) or heading_pieces(text)
    else:
        pieces = heading_pieces(text)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for piece in pieces:
        parts = split_to_budget(piece.text, max_tokens, overlap)
        for n, part in enumerate(parts, 1):
            path = piece.path if len(parts) == 1 else f"{piece.path}（{n}/{len(parts)}）"
            cid = chunk_id(meta.doc_id, path, part)
            if cid in seen:
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    doc_id=meta.doc_id,
                    document=meta.file,
                    title=meta.title,
                    kind=meta.kind,
                    agency=meta.agency,
                    place=meta.place,
                    year=meta.year,
                    format=meta.format,
                    status=meta.status,
                    section=piece.section,
                    section_path=piece.path,
                    locator=piece.locator,
                    part=n,
                    text=part,
                    context=piece.context,
                )
            )
    return chunks


# --------------------------------------------------------------------------- annual reports

_SUB_RE = re.compile(rf"^\s*(?:\*\*)?[（(]([{CN_NUM}]+)[）)]\s*(.*)$")


def _fw(text: str) -> str:
    """Full-width brackets and no inner spaces in a heading."""
    return re.sub(r"\s+", "", text.replace("(", "（").replace(")", "）").replace("*", ""))


def _short_title(rest: str, limit: int = 30) -> str:
    """The title part of an inline sub-topic line: up to the first sentence end."""
    rest = rest.strip().strip("*").strip()
    m = re.search(r"[。．.：:；;]", rest)
    title = rest[: m.start()] if m else rest
    return _fw(title[:limit])


def report_pieces(text: str) -> list[Piece]:
    from agent.report.labels import SECTION_BY_KEY
    from agent.report.sections import split_report

    preamble, sections = split_report(text)
    if not sections:
        return heading_pieces(text)
    pieces: list[Piece] = []
    if preamble.strip():
        pieces.append(Piece("preamble", "标题与导语", "", preamble.strip()))
    for sec in sections:
        heading = _fw(sec.heading)
        numeral = heading[:1]
        spec = SECTION_BY_KEY.get(sec.key)
        body = sec.text.strip()
        if not body:
            continue  # a heading with nothing under it (seed 001's missing tables)
        if spec is not None and spec.has_table:
            pieces.append(Piece(sec.key, heading, numeral, f"{heading}\n{body}".strip()))
            continue
        pieces.extend(_sub_topics(sec.key, heading, numeral, body))
    return pieces


def _sub_topics(key: str, heading: str, numeral: str, body: str) -> list[Piece]:
    pieces: list[Piece] = []
    current: list[str] = []
    path, locator = heading, numeral
    for line in body.split("\n"):
        m = _SUB_RE.match(line)
        if m and "\t" not in line and "|" not in line:
            if "".join(current).strip():
                pieces.append(Piece(key, path, locator, "\n".join(current).strip()))
            sub = m.group(1)
            path = f"{heading} > （{sub}）{_short_title(m.group(2))}"
            locator = f"{numeral}（{sub}）"
            current = [line]
        else:
            current.append(line)
    if "".join(current).strip():
        if not pieces and path == heading:
            pieces.append(Piece(key, path, locator, f"{heading}\n" + "\n".join(current).strip()))
        else:
            pieces.append(Piece(key, path, locator, "\n".join(current).strip()))
    if not pieces:
        pieces.append(Piece(key, heading, numeral, heading))
    return pieces


# --------------------------------------------------------------------------- notices

_TOP_RE = re.compile(rf"^\s*(?:#+\s*)?(?:\*\*)?([{CN_NUM}]+)[、.．]\s*(.+)$")


def notice_pieces(text: str) -> list[Piece]:
    """Work points: one piece per （N） item under its 一、 heading; locator 三（二）."""
    pieces: list[Piece] = []
    top_num, top_head = "", ""
    current: list[str] = []
    path, locator = "导语", ""

    def flush() -> None:
        body = "\n".join(current).strip()
        if body:
            pieces.append(Piece("item", path, locator, body))

    for line in text.split("\n"):
        top = _TOP_RE.match(line)
        sub = _SUB_RE.match(line)
        if top and len(line.strip()) <= 40 and not line.strip().endswith("。"):
            flush()
            top_num, top_head = top.group(1), _fw(f"{top.group(1)}、{top.group(2)}")
            path, locator, current = top_head, top_num, [line.strip()]
        elif sub:
            flush()
            title = _short_title(sub.group(2))
            path = f"{top_head} > （{sub.group(1)}）{title}" if top_head else f"（{sub.group(1)}）{title}"
            locator = f"{top_num}（{sub.group(1)}）"
            current = [line.strip()]
        else:
            current.append(line)
    flush()
    # a heading with items under it carries no text of its own: drop its bare piece
    return [p for i, p in enumerate(pieces) if not _bare_heading(p, pieces[i + 1 : i + 2])]


def _bare_heading(p: Piece, following: list[Piece]) -> bool:
    return "\n" not in p.text and bool(following) and following[0].path.startswith(p.path + " > ")


# --------------------------------------------------------------------------- regulations

_CHAPTER_RE = re.compile(rf"^\s*(?:#+\s*)?(第[{CN_NUM}]+[章节])\s*(.*)$")
_ARTICLE_RE = re.compile(rf"^\s*(?:\*\*)?(第[{CN_NUM}]+条)(?:\*\*)?[\s　]*(.*)$")


def article_pieces(text: str) -> list[Piece]:
    """One piece per article; the locator is the article number, the chapter goes to context."""
    pieces: list[Piece] = []
    chapter = ""
    section = ""
    header: list[str] = []
    current: list[str] = []
    article = ""
    ctx = ""

    def flush() -> None:
        if article and "".join(current).strip():
            pieces.append(Piece("article", article, article, "\n".join(current).strip(), ctx))

    for line in text.split("\n"):
        ch = _CHAPTER_RE.match(line)
        if ch and len(line.strip()) <= 40:
            flush()
            article, current = "", []
            if "章" in ch.group(1):
                chapter, section = _fw(f"{ch.group(1)} {ch.group(2)}".strip()), ""
            else:
                section = _fw(f"{ch.group(1)} {ch.group(2)}".strip())
            continue
        art = _ARTICLE_RE.match(line)
        if art:
            flush()
            article = art.group(1)
            ctx = " ".join(x for x in (chapter, section) if x)
            current = [line.strip()]
        elif article:
            current.append(line)
        else:
            header.append(line)
    flush()
    head = "\n".join(ln.strip().lstrip("#").strip() for ln in header if ln.strip())
    if head:
        pieces.insert(0, Piece("preamble", "题注", "", head))
    if not any(p.section == "article" for p in pieces):
        return heading_pieces(text)
    return pieces


# --------------------------------------------------------------------------- generic headings

_L1_RE = re.compile(rf"^\s*(?:#+\s*)?(?:\*\*)?([{CN_NUM}]+)\s*[、.．]\s*(.+?)(?:\*\*)?\s*$")
_ITEM_RE = re.compile(r"^\s*\d+\s*[、.．]")


def _is_plain_heading(line: str) -> bool:
    s = line.strip()
    return (
        2 <= len(s) <= 25
        and not s.endswith(tuple("。；，、：:,;！？!?"))
        and not _ITEM_RE.match(s)
        and "|" not in s
        and "\t" not in s
        and not re.fullmatch(r"[\d\s.%-]+", s)
    )


def heading_pieces(text: str) -> list[Piece]:
    """Pieces under numbered (一、 （一）) or unnumbered short headings; the first line is the title."""
    lines = text.split("\n")
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    if not nonblank:
        return []
    title_idx = nonblank[0]
    pieces: list[Piece] = []
    l1, l1_num, l2, l2_loc = "", "", "", ""
    seen_l2_in_l1 = False
    current: list[str] = []
    path, locator, section = "标题与导语", "", "preamble"

    def flush() -> None:
        body = "\n".join(current).strip()
        if body:
            pieces.append(Piece(section, path, locator, body))

    def next_line(i: int) -> str:
        for j in range(i + 1, len(lines)):
            if lines[j].strip():
                return lines[j]
        return ""

    for i, line in enumerate(lines):
        if i == title_idx:
            current.append(line.strip())
            continue
        s = line.strip()
        m1 = _L1_RE.match(s)
        m2 = _SUB_RE.match(s)
        if m1 and len(s) <= 40 and not s.endswith("。"):
            level, name, num = 1, _fw(f"{m1.group(1)}、{m1.group(2)}"), m1.group(1)
        elif m2 and "|" not in s and "\t" not in s:
            level, name, num = 2, f"（{m2.group(1)}）{_short_title(m2.group(2))}", m2.group(1)
        elif s and _is_plain_heading(s) and next_line(i).strip():
            nxt = next_line(i).strip()
            if _SUB_RE.match(nxt) or not l1:
                level = 1
            elif seen_l2_in_l1:
                level = 2
            else:
                level = 1
            name, num = _fw(s), ""
        else:
            current.append(line)
            continue
        flush()
        section = "item"
        if level == 1:
            l1, l1_num, l2, l2_loc = name, num, "", ""
            seen_l2_in_l1 = False
            path, locator = l1, l1_num
        else:
            seen_l2_in_l1 = True
            l2 = name
            l2_loc = f"{l1_num}（{num}）" if num else ""
            path, locator = (f"{l1} > {l2}" if l1 else l2), l2_loc
        current = [s]
    flush()
    return [p for i, p in enumerate(pieces) if not _bare_heading(p, pieces[i + 1 : i + 2])]


# --------------------------------------------------------------------------- markdown

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def markdown_pieces(text: str) -> list[Piece]:
    pieces: list[Piece] = []
    stack: list[tuple[int, str]] = []
    current: list[str] = []
    path = "导语"

    def flush() -> None:
        body = "\n".join(current).strip()
        if body:
            pieces.append(Piece("item", path, path.split(" > ")[-1] if path != "导语" else "", body))

    found = False
    for line in text.split("\n"):
        m = _MD_HEADING.match(line)
        if m:
            found = True
            flush()
            level = len(m.group(1))
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, m.group(2).strip())]
            names = [h for lv, h in stack if lv > 1] or [stack[-1][1]]
            path = " > ".join(names)
            current = [m.group(2).strip()]
        else:
            current.append(line)
    flush()
    return pieces if found else []
