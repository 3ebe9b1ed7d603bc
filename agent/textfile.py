"""Text in and out: reading the user's text files (size limits, encodings) and making text safe for
the XML inside .docx and .xlsx files.

Encodings. A text file is read as UTF-8 (with or without BOM), else GB18030 (what Notepad and WPS
save on Chinese Windows), else charset-normalizer's guess (with a warning). Two cases are told
apart instead of guessed at:

* a UTF-8 file cut in the middle of its last character (a copy that stopped early) is read, and
  the warning names the line;
* a file that mixes encodings (some lines UTF-8 Chinese, others GBK) is refused with the line and
  byte where the second encoding starts — decoding it either way would silently garble part of it.

Size limits (documented in the README): notes 2 MB, a report or notice 20 MB as text, 100 MB as a
.docx/.pdf/.xlsx file. Beyond them the file is refused with a sentence saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import InputError, os_error

MB = 1024 * 1024
NOTES_LIMIT = 2 * MB
TEXT_LIMIT = 20 * MB
BINARY_LIMIT = 100 * MB
BINARY_SUFFIXES = (".docx", ".pdf", ".xlsx", ".doc", ".xls")

# characters XML 1.0 does not allow (python-docx and openpyxl refuse them)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------- checking input files


def check_input_file(path: Path, limit: int | None = None, what: str = "文件") -> int:
    """An input file must exist, be a file (not a folder) and be no larger than ``limit`` bytes
    (by default 20 MB for text, 100 MB for .docx/.pdf/.xlsx). Returns its size."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"这是一个文件夹，而不是{what}；请给出文件的路径", path=str(path))
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{what}不存在", path=str(path)) from None
    except OSError as exc:
        raise os_error(exc, f"无法读取{what}", path) from exc
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise os_error(exc, f"无法读取{what}", path) from exc
    if limit is None:
        limit = BINARY_LIMIT if path.suffix.lower() in BINARY_SUFFIXES else TEXT_LIMIT
    if size > limit:
        raise InputError(
            f"{what}太大（{size / MB:.1f} MB，上限 {limit // MB} MB）；请确认选对了文件，或拆分后分别处理",
            path=str(path),
        )
    return size


def read_bytes(path: Path, limit: int | None = None, what: str = "文件") -> bytes:
    """The bytes of an input file, after :func:`check_input_file`; OSErrors name the file."""
    check_input_file(path, limit, what)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise os_error(exc, f"无法读取{what}", path) from exc


# --------------------------------------------------------------------------- decoding


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf8_chinese_line(line: bytes) -> bool:
    """A line that is valid UTF-8 with at least three multi-byte characters: GBK text almost never
    is (its byte pairs would have to line up as UTF-8 sequences by chance)."""
    if line.isascii():
        return False
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return sum(1 for ch in text if ord(ch) > 0x7F) >= 3


def _mixed_encoding_error(data: bytes, bad: int, path: str) -> InputError | None:
    """When part of the file is UTF-8 Chinese and another part is not UTF-8: both places."""
    utf8_line = next((i for i, line in enumerate(data.split(b"\n"), 1) if _utf8_chinese_line(line)), None)
    if utf8_line is None:
        return None
    line_no = _line_of(data, bad)
    return InputError(
        f"文件混用了两种编码：第{line_no}行（第{bad + 1}字节）起不是 UTF-8，而第{utf8_line}行是 UTF-8"
        "（常见于把 GBK 与 UTF-8 的内容粘贴到一起）。请用记事本或 WPS 打开，检查这一行后“另存为”UTF-8 编码",
        path=path,
    )


# NUL and private-use characters: what GB18030 makes of text in another encoding
_SUSPECT = re.compile("[\x00\ue000-\uf8ff]")


def _utf16(data: bytes) -> Decoded | None:
    """UTF-16 (Notepad's "Unicode") with or without a byte-order mark: NULs in every other byte."""
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return _try(data[2:], enc)
    if data.count(0) < len(data) // 8:
        return None
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    return _try(data, "utf-16-le" if odd > even else "utf-16-be")


def _try(data: bytes, encoding: str) -> Decoded | None:
    try:
        return Decoded(data.decode(encoding), encoding, [f"文件为 {encoding.upper()} 编码，已按此读取"])
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, path: str = "") -> Decoded:
    """Decode a text file (see the module docstring). Raises InputError naming the line and byte
    when the encodings are mixed or cannot be recognised."""
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
        truncated = exc.reason == "unexpected end of data" and exc.end == len(data)
    if truncated:
        body = data[:first_bad]
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            line = _line_of(data, first_bad)
            return Decoded(
                text,
                "utf-8",
                [
                    f"第{line}行：文件末尾的最后一个字符不完整（文件可能没有复制完整），已忽略这 {len(data) - first_bad} 个字节"
                ],
            )
    wide = _utf16(data)
    if wide is not None:
        return wide
    mixed = _mixed_encoding_error(data, first_bad, path)
    if mixed is not None:
        raise mixed
    gb_bad = len(data)
    try:
        text = data.decode("gb18030")
        if not _SUSPECT.search(text):
            return Decoded(text, "gb18030")
    except UnicodeDecodeError as exc:
        gb_bad = exc.start
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in ("utf_8", "gb18030") or _SUSPECT.search(str(best)):
        line = _line_of(data, min(first_bad, gb_bad))
        raise InputError(
            f"无法识别文件编码（已尝试 UTF-8、GB18030；第{line}行第{min(first_bad, gb_bad) + 1}字节处无法解码）；"
            "请另存为 UTF-8 编码的文本文件",
            path=path,
            where=f"第{line}行",
        )
    return Decoded(
        str(best), best.encoding, [f"文件不是 UTF-8 或 GB18030 编码，已按 {best.encoding} 读取，请核对内容"]
    )


def read_text_file(path: Path, limit: int | None = None, what: str = "文件") -> Decoded:
    """Read and decode a text file, with the size limit and the encoding rules above."""
    return decode_text(read_bytes(path, limit, what), str(path))


# --------------------------------------------------------------------------- writing XML formats


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (control characters other than tab and
    line breaks, lone surrogates, U+FFFE/U+FFFF), which python-docx and openpyxl refuse."""
    return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text


def control_characters(text: str) -> list[int]:
    """Line numbers (1-based) of lines that contain control characters."""
    return [i for i, line in enumerate(text.split("\n"), 1) if _CONTROL.search(line)]


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)
