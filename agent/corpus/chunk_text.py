"""Text before and inside chunks: unwrapping PDF lines and page numbers, sentences, and the token budget."""

from __future__ import annotations

import re

from agent.tokens import count_tokens

MAX_TOKENS = 400
OVERLAP_TOKENS = 60
CN_NUM = "零〇一二三四五六七八九十百千"


# --------------------------------------------------------------------------- text preparation

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)\s*$")
_END_PUNCT = "。；：！？:;!?"
_HEADING_START = re.compile(rf"^\s*(?:[{CN_NUM}]+[、.．]|[（(][{CN_NUM}]+[）)]|第[{CN_NUM}]+[条章节])")


def prepare_text(text: str, pdf: bool = False) -> str:
    """Normalise line ends, drop HTML comments and page numbers, join lines a PDF wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    text = _HTML_COMMENT.sub("", text)
    lines = [ln.rstrip() for ln in text.split("\n") if not _PAGE_NUMBER.match(ln)]
    width = _wrap_width(lines)
    if width and (pdf or _looks_wrapped(lines, width)):
        lines = _unwrap(lines, width)
    return "\n".join(lines)


def _wrap_width(lines: list[str]) -> int:
    lengths = sorted(len(ln.strip()) for ln in lines if ln.strip() and not _tableish(ln.strip()))
    return lengths[max(0, int(len(lengths) * 0.9) - 1)] if lengths else 0


def _looks_wrapped(lines: list[str], width: int) -> bool:
    """Most long lines stop mid-sentence: the text was wrapped at a page width."""
    long = [ln.strip() for ln in lines if len(ln.strip()) >= max(12, int(width * 0.8))]
    cut = [ln for ln in long if not ln.endswith(tuple(_END_PUNCT)) and not _tableish(ln)]
    return len(long) >= 5 and len(cut) >= 0.5 * len(long)


def _tableish(line: str) -> bool:
    """A table row: cells, several short fields, or a row of numbers."""
    fields = line.split()
    return (
        "|" in line
        or "\t" in line
        or bool(re.search(r"\d+\s+\d+\s+\d+|\d\s*$", line))
        or (len(fields) >= 3 and max(len(f) for f in fields) <= 8 and not re.search(r"[，、。；]", line))
    )


def _unwrap(lines: list[str], width: int) -> list[str]:
    """Join the lines wrapped at the page width (a full line not ending a sentence)."""
    out: list[str] = []
    joinable = False
    for ln in lines:
        s = ln.strip()
        if joinable and s and not _HEADING_START.match(s) and not _tableish(s) and out:
            out[-1] += s
        else:
            out.append(s)
        cur = out[-1]
        joinable = (
            len(s) >= max(12, int(width * 0.8)) and not cur.endswith(tuple(_END_PUNCT)) and not _tableish(s)
        )
    return out


# --------------------------------------------------------------------------- token budget

_SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.findall(text) if s]


def split_to_budget(text: str, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP_TOKENS) -> list[str]:
    """``text`` cut at sentence ends into parts of at most ``max_tokens``, consecutive parts
    sharing up to ``overlap`` tokens of whole sentences."""
    text = text.strip()
    if not text:
        return []
    if count_tokens(text) <= max_tokens:
        return [text]
    units: list[tuple[str, int]] = []
    for sent in split_sentences(text):
        n = count_tokens(sent)
        if n <= max_tokens:
            units.append((sent, n))
        else:  # a sentence (or table line) longer than the budget: cut by characters
            step = max(1, int(len(sent) * max_tokens / n * 0.9))
            for k in range(0, len(sent), step):
                piece = sent[k : k + step]
                units.append((piece, count_tokens(piece)))
    parts: list[str] = []
    cur: list[tuple[str, int]] = []
    total = 0
    for unit in units:
        if cur and total + unit[1] > max_tokens:
            parts.append("".join(s for s, _ in cur).strip())
            keep: list[tuple[str, int]] = []
            kept = 0
            for s, n in reversed(cur):
                if kept + n > overlap:
                    break
                keep.insert(0, (s, n))
                kept += n
            while keep and kept + unit[1] > max_tokens:
                kept -= keep.pop(0)[1]
            cur, total = keep, kept
        cur.append(unit)
        total += unit[1]
    if cur:
        tail = "".join(s for s, _ in cur).strip()
        if tail and (not parts or not parts[-1].endswith(tail)):
            parts.append(tail)
    return [p for p in parts if p]
