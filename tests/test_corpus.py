"""The bundled corpus, metadata detection and corrections, and chunking."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.corpus.chunk_text import split_sentences
from agent.corpus.chunking import chunk_document, split_to_budget
from agent.corpus.meta import (
    KINDS,
    DocMeta,
    collect_files,
    corpus_root,
    load_manifest,
    parse_meta_options,
    read_document,
    user_document,
)
from agent.errors import InputError
from agent.tokens import count_tokens


def _doc(rel: str):
    return next(d for d in load_manifest() if d.meta.doc_id == "corpus/" + rel)


@functools.cache
def _text(path: Path) -> str:
    return read_document(path)


def _chunks(rel: str):
    d = _doc(rel)
    return chunk_document(d.meta, _text(d.path), pdf=d.path.suffix == ".pdf")


# ----------------------------------------------------------------------------- manifest


def test_manifest_lists_every_bundled_document_with_valid_metadata() -> None:
    docs = load_manifest()
    root = corpus_root()
    assert (root / "manifest.yaml").is_file()
    assert len(docs) == 20  # 19 + the Chinese format guide (corpus/guide/)
    for d in docs:
        assert d.path.is_file(), d.path
        assert d.meta.kind in KINDS
        assert d.meta.title
    kinds = {d.meta.kind for d in docs}
    assert kinds == set(KINDS)
    seeds = sorted(p.name for p in (root / "seeds").glob("*.txt"))
    assert seeds == sorted(d.meta.file for d in docs if d.meta.doc_id.startswith("corpus/seeds/"))


def test_only_the_2007_regulation_is_superseded() -> None:
    superseded = [d.meta.doc_id for d in load_manifest() if d.meta.status == "superseded"]
    assert superseded == ["corpus/regulations/zfxxgk-tiaoli-2007-superseded.md"]


def test_annual_report_formats_follow_the_year() -> None:
    for d in load_manifest():
        if d.meta.kind == "annual_report":
            assert d.meta.format == ("2019" if (d.meta.year or 0) <= 2020 else "2021"), d.meta.file
        else:
            assert d.meta.kind == "spec" or d.meta.format is None


# ----------------------------------------------------------------------------- detection


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


REPORT = """杭州市教育局2023年政府信息公开工作年度报告
一、总体情况
（一）主动公开情况。全年主动公开信息100条。
二、主动公开政府信息情况
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
规章 | 0 | 0 | 0
五、存在的主要问题及改进情况
宣传不够。
"""


def test_detects_metadata_of_an_annual_report(tmp_path: Path) -> None:
    p = _write(tmp_path, "report.txt", REPORT)
    doc = user_document(p, p.read_text(encoding="utf-8"))
    m = doc.meta
    assert (m.kind, m.year, m.format, m.status) == ("annual_report", 2023, "2021", "current")
    assert m.agency == "杭州市教育局"
    assert m.place == "浙江省杭州市"
    assert m.doc_id == str(p.resolve()) and m.file == "report.txt"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("2023年某某市司法局政务公开工作要点", "work_points"),
        ("市司法局关于2023年政务公开工作要点落实情况的报告", "implementation_report"),
        ("洛阳市民族宗教事务局 2020 年政府信息公开工作年度报告", "annual_report"),
        ("中华人民共和国档案法", "regulation"),
    ],
)
def test_detects_kind_from_title(tmp_path: Path, title: str, kind: str) -> None:
    p = _write(tmp_path, "doc.txt", f"{title}\n\n正文第一段。\n")
    assert user_document(p, p.read_text(encoding="utf-8")).meta.kind == kind


def test_old_report_gets_2019_format_from_its_tables(tmp_path: Path) -> None:
    text = REPORT.replace("2023", "2022").replace("本年制发件数", "本年新制作数量")
    p = _write(tmp_path, "r.txt", text)
    assert user_document(p, text).meta.format == "2019"


def test_sidecar_and_meta_options_correct_the_detection(tmp_path: Path) -> None:
    p = _write(tmp_path, "r.txt", REPORT)
    (tmp_path / "r.txt.meta.yaml").write_text("agency: 杭州市教育局（更正）\nyear: 2022\n", encoding="utf-8")
    doc = user_document(p, REPORT, parse_meta_options(["kind=工作要点", "status=已废止"]))
    assert doc.meta.agency == "杭州市教育局（更正）"
    assert doc.meta.year == 2022
    assert doc.meta.kind == "work_points"
    assert doc.meta.status == "superseded"


def test_bad_corrections_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="未知的元数据项“colour”"):
        parse_meta_options(["colour=red"])
    with pytest.raises(InputError, match="kind 只能是"):
        parse_meta_options(["kind=小说"])
    with pytest.raises(InputError, match="键=值"):
        parse_meta_options(["kind"])
    p = _write(tmp_path, "r.txt", REPORT)
    (tmp_path / "r.txt.meta.yaml").write_text("year: 去年\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.txt\.meta\.yaml.*year"):
        user_document(p, REPORT)


def test_collect_files_skips_sidecars_and_names_unsupported(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "x")
    _write(tmp_path, "a.txt.meta.yaml", "year: 2020")
    _write(tmp_path, "b.xyz", "x")
    files, problems = collect_files([tmp_path, tmp_path / "b.xyz", tmp_path / "missing.txt"])
    assert [f.name for f in files] == ["a.txt"]
    assert any("b.xyz" in p and "不支持" in p for p in problems)
    assert any("missing.txt" in p and "不存在" in p for p in problems)


# ----------------------------------------------------------------------------- chunking


def test_regulation_is_split_by_article_with_paragraphs_inside() -> None:
    chunks = _chunks("regulations/zfxxgk-tiaoli-2019.md")
    art = [c for c in chunks if c.locator == "第三十三条"]
    assert len(art) == 1
    c = art[0]
    assert c.section == "article" and c.section_path == "第三十三条"
    assert "延长的期限最长不得超过20个工作日" in c.text  # the second 款 stays in the article
    assert "第四章" in c.context  # the chapter goes into the indexed context
    articles = {c.locator for c in chunks if c.section == "article"}
    assert len(articles) == 56


def test_notice_items_keep_their_item_ids() -> None:
    chunks = _chunks("seeds/002_80d2bd772b55b8ef.txt")
    by_loc = {c.locator: c for c in chunks}
    assert "互联网协议第6版" in by_loc["三（二）"].text
    assert by_loc["三（二）"].section_path.startswith("三、加强平台建设")
    assert {"一（一）", "二（四）", "四（二）", "五（三）"} <= set(by_loc)


def test_annual_report_is_split_by_section_and_sub_topic() -> None:
    chunks = _chunks("seeds/003_5224c11c69bf291e.txt")
    paths = [c.section_path for c in chunks]
    assert "一、总体情况 > （二）主动公开情况" in paths
    assert {c.section for c in chunks} >= {"overview", "proactive", "requests", "review", "problems", "other"}
    # table rows such as "(一) 予以公开" are not sub-topics
    assert all(" > " not in c.section_path for c in chunks if c.section == "requests")


def test_pdf_lines_are_joined_and_page_numbers_dropped() -> None:
    chunks = _chunks("realdata/huaian-city-2024.pdf")
    text = "\n".join(c.text for c in chunks)
    assert "市政府网站主动公开各类政府信息" in text
    assert "- 2 -" not in text
    assert any(c.section_path == "一、总体情况 > （四）政府信息公开平台建设情况" for c in chunks)


def test_chunks_respect_the_token_budget_and_carry_metadata() -> None:
    for d in load_manifest():
        for c in chunk_document(d.meta, _text(d.path), pdf=d.path.suffix == ".pdf"):
            assert count_tokens(c.text) <= 400, (c.document, c.section_path)
            assert c.doc_id == d.meta.doc_id and c.document == d.meta.file and c.kind == d.meta.kind
            assert c.status == d.meta.status and c.title == d.meta.title
            assert len(c.id) == 64


def test_chunk_ids_are_content_hashes() -> None:
    a = _chunks("seeds/001_c0d664e86ae085fc.txt")
    b = _chunks("seeds/001_c0d664e86ae085fc.txt")
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    meta = DocMeta(doc_id="x/other.txt", file="other.txt", title="t", kind="annual_report")
    d = _doc("seeds/001_c0d664e86ae085fc.txt")
    other = chunk_document(meta, _text(d.path))
    assert not ({c.id for c in a} & {c.id for c in other})  # the document id is part of the hash


def test_long_text_is_cut_with_overlap() -> None:
    sentences = [f"第{i}句话讲的是政府信息公开工作中的第{i}项具体措施。" for i in range(200)]
    parts = split_to_budget("".join(sentences), 100, 30)
    assert len(parts) > 5
    assert all(count_tokens(p) <= 100 for p in parts)
    for a, b in zip(parts, parts[1:], strict=False):
        assert split_sentences(a)[-1] in b  # consecutive parts share their boundary sentence
    assert sentences[0] in parts[0] and sentences[-1] in parts[-1]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet="政府信息公开年度报告工作要点。；\n0123", min_size=1, max_size=60),
        min_size=1,
        max_size=30,
    )
)
def test_budget_split_keeps_every_sentence(pieces: list[str]) -> None:
    text = "".join(pieces).strip()
    parts = split_to_budget(text, 40, 10)
    if not text:
        assert parts == []
        return
    assert all(count_tokens(p) <= 40 for p in parts)
    joined = "".join(parts)
    for s in split_sentences(text):
        s = s.strip()
        if s and count_tokens(s) <= 40:
            assert s in joined


def test_rjieba_and_jieba_agree_on_the_corpus() -> None:
    from agent.corpus.lexical import backend, tokenize, tokenize_jieba

    if backend() != "rjieba":
        pytest.skip("rjieba not installed: jieba is used for everything")
    for d in load_manifest()[:8]:
        text = _text(d.path)[:3000]
        assert tokenize(text) == tokenize_jieba(text), d.meta.file
