"""Reading the user's text files: encodings (mixed, cut short, UTF-16, GBK), size limits, and text
made safe for .docx/.xlsx; notes files checked before they are parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.draft.notes import load_notes
from agent.draft.notes_input import duplicate_headings, read_notes_text, strip_html
from agent.errors import InputError
from agent.textfile import MB, check_input_file, decode_text, xml_safe

UTF8 = "机关: 示例县民族宗教事务局\n年度: 2024\n"
GBK_LINE = "- 门户网站发布政务信息218条\n"


def test_utf8_and_gbk_files_are_read_without_warnings():
    assert decode_text(UTF8.encode()).text == UTF8
    gbk = decode_text((UTF8 + GBK_LINE).encode("gbk"))
    assert gbk.text == UTF8 + GBK_LINE and gbk.warnings == []


def test_mixed_encodings_are_refused_with_line_and_byte():
    data = UTF8.encode() + GBK_LINE.encode("gbk")
    with pytest.raises(InputError) as err:
        decode_text(data, "notes.md")
    msg = str(err.value)
    offset = len(UTF8.encode()) + len("- ") + 1  # the first GBK byte, 1-based
    assert "notes.md" in msg and "第3行" in msg and f"第{offset}字节" in msg and "第1行是 UTF-8" in msg


def test_utf8_cut_in_the_middle_of_a_character_is_read_with_a_warning():
    data = (UTF8 + "- 发布信息").encode()[:-2]
    got = decode_text(data, "notes.md")
    assert got.text == UTF8 + "- 发布信"
    assert got.warnings and "第3行" in got.warnings[0] and "不完整" in got.warnings[0]


def test_utf16_with_and_without_bom():
    for data in (UTF8.encode("utf-16"), UTF8.encode("utf-16-le"), UTF8.encode("utf-16-be")):
        got = decode_text(data)
        assert got.text.lstrip("\ufeff") == UTF8 and "UTF-16" in got.warnings[0]


def test_size_limit_and_folders(tmp_path):
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (MB + 1))
    with pytest.raises(InputError, match="太大.*上限 1 MB"):
        check_input_file(big, MB)
    with pytest.raises(InputError, match="文件夹"):
        check_input_file(tmp_path)
    with pytest.raises(InputError, match="不存在"):
        check_input_file(tmp_path / "missing.md")


def test_xml_safe_drops_only_what_xml_forbids():
    assert xml_safe("发布\x00信息\x0b218\x1f条\t\n") == "发布信息218条\t\n"
    assert xml_safe("正常文字") == "正常文字"


def test_a_docx_given_as_notes_gets_a_message(tmp_path):
    notes = tmp_path / "要点.docx"
    notes.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(InputError, match="Markdown 或纯文本"):
        read_notes_text(notes)
    renamed = tmp_path / "要点.md"  # a Word file renamed to .md
    renamed.write_bytes(b"PK\x03\x04junk")
    with pytest.raises(InputError, match="Markdown 或纯文本") as err:
        read_notes_text(renamed)
    assert "要点.md" in str(err.value)


def test_html_in_notes_is_not_copied():
    text = "# 总体情况\n## 主动公开\n- 发布<b>218</b>条&amp;解读\n<script>\nalert(1)\n</script>\n- 其他\n"
    clean, lines = strip_html(text)
    assert "<" not in clean and "alert" not in clean and "发布218条&解读" in clean
    assert clean.count("\n") == text.count("\n") and lines == [3, 4, 5, 6]
    assert strip_html("- 数量<5件，<!-- 说明 -->\n") == ("- 数量<5件，<!-- 说明 -->\n", [])


def test_notes_warnings_name_the_lines(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "---\n机关: 示例县民族宗教事务局\n年度: 2024\n---\n# 总体情况\n## 主动公开\n- 发布\x07信息\n"
        "## 二、主动公开\n- <i>解读</i>6篇\n",
        encoding="utf-8",
    )
    got = load_notes(notes)
    joined = "\n".join(got.warnings)
    assert "第7行含有控制字符" in joined and "第9行含有 HTML" in joined
    assert "第8行：标题“二、主动公开”与第6行重复" in joined
    assert [b.text for b in got.bullets] == ["发布信息", "解读6篇"]


def test_duplicate_headings_ignore_numbering_but_not_level():
    text = "# 总体情况\n## 主动公开\n## （一）主动公开\n# 主动公开\n"
    assert [w.split("：")[0] for w in duplicate_headings(text)] == ["第3行"]


def test_notes_over_the_limit_are_refused(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_bytes(b"- x\n" * (600 * 1024))
    with pytest.raises(InputError, match="要点文件太大") as err:
        load_notes(notes)
    assert "notes.md" in str(err.value)


def test_figures_truncated_at_the_end_are_read_with_a_warning(tmp_path):
    from agent.figures.reading import figures_warnings, load_figures

    root = Path(__file__).resolve().parents[1]
    data = (root / "examples" / "figures-2024.yaml").read_bytes()
    cut = tmp_path / "figures.yaml"
    cut.write_bytes(data + "# 备注：数据已核对".encode()[:-1])
    fig = load_figures(cut)
    assert any("不完整" in w and "figures.yaml" in w for w in figures_warnings(fig))


def test_docx_writers_drop_control_characters_instead_of_failing(tmp_path):
    import docx

    from agent.figures.docx_style import add_body_paragraph, add_heading2, new_document
    from agent.settings import load_settings

    settings = load_settings()
    doc = new_document(settings)
    add_body_paragraph(doc, "发布\x00信息\x0b218条\x1f", settings)  # python-docx alone raises ValueError
    add_heading2(doc, "（一）\x07主动公开", settings)
    doc.save(str(tmp_path / "t.docx"))
    texts = [p.text for p in docx.Document(str(tmp_path / "t.docx")).paragraphs]
    assert texts == ["发布信息218条", "（一）主动公开"]


def test_notes_with_too_many_bullets_are_refused(tmp_path):
    from agent.draft.notes_input import MAX_ITEMS

    notes = tmp_path / "notes.md"
    notes.write_text(
        "---\n机关: 示例局\n年度: 2024\n---\n# 总体情况\n" + "- 事项\n" * (MAX_ITEMS + 1), encoding="utf-8"
    )
    with pytest.raises(InputError, match=f"{MAX_ITEMS + 1} 条要点，超过上限 {MAX_ITEMS} 条") as err:
        load_notes(notes)
    assert "notes.md" in str(err.value)
    notes.write_text("# 总体情况\n" + "- 事项\n" * MAX_ITEMS, encoding="utf-8")
    assert len(load_notes(notes).bullets) == MAX_ITEMS
