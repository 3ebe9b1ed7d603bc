"""Sentences of a narrative carry the line they start on (the count is kept as the text is walked)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from agent.report.narrative import split_sentences


def test_each_sentence_names_the_line_it_starts_on() -> None:
    text = "第一句。第二句；\n\n第三句\n接着第三句。\n| 表 | 1 |\n\n\n第四句！"
    got = [(s.text, s.line) for s in split_sentences(text, "overview", 10)]
    assert got == [("第一句。", 10), ("第二句；", 10), ("第三句接着第三句。", 12), ("第四句！", 17)]


def _reference(text: str, first_line: int) -> list[tuple[str, int]]:
    """The plain way: for each sentence, count the newlines from the start of the text."""
    body = "\n".join("" if re.search(r"[|\t]", ln) else ln for ln in text.split("\n"))
    out, pos = [], 0
    for piece in re.split(r"(?<=[。！？；!?;])|\n\s*\n", body):
        start = body.find(piece, pos) if piece else pos
        pos = start + len(piece)
        flat = re.sub(r"\s*\n\s*", "", piece).strip()
        if flat:
            lead = len(piece) - len(piece.lstrip())
            out.append((flat, first_line + body.count("\n", 0, start + lead)))
    return out


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["甲。", "乙；", " 丙丁！", "戊", "| 1 |", "\t表"])),
        max_size=40,
    ),
    st.integers(1, 50),
)
def test_line_numbers_match_a_count_from_the_start(parts: list[tuple[int, str]], first: int) -> None:
    text = "".join("\n" * n + p for n, p in parts)
    assert [(s.text, s.line) for s in split_sentences(text, None, first)] == _reference(text, first)
