"""Uploads: streamed into the session's folder under names the code makes, size-limited, zips checked.

- The request body is parsed as it arrives (python-multipart) and each file is written straight
  into the session folder as ``<random hex><suffix>``; the user's file name is kept only for
  display (:func:`display_name`) and never becomes a path. The suffix is kept only when it is a
  plain lower-case extension, so that the readers know the format.
- A body larger than the limit is refused before it is read (Content-Length) or as soon as a
  file passes the per-file limit; on any failure every file of the request is deleted.
- A zip is unpacked member by member with the same limits (a member's real size is counted, not
  the size its header claims); a member whose path is absolute or climbs out (``../../x``) makes
  the whole zip refused; other files than reports are skipped and listed.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from starlette.requests import Request

from agent.errors import InputError

CHUNK = 1 << 16
MAX_FIELD_BYTES = 200_000
MAX_FIELDS = 200
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UTF8_FLAG = 0x800


class UploadError(InputError):
    """An upload refused, with the reason the page shows; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class StoredFile:
    field: str
    name: str  # the user's name for it, for display only
    path: Path  # where it is stored (a name the code made)
    size: int = 0

    @property
    def suffix(self) -> str:
        return self.path.suffix


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)

    def file(self, name: str) -> StoredFile | None:
        return next((f for f in self.files if f.field == name), None)

    def all(self, name: str) -> list[StoredFile]:
        return [f for f in self.files if f.field == name]

    def discard(self) -> None:
        for f in self.files:
            f.path.unlink(missing_ok=True)


def display_name(raw: str, keep_folders: bool = False) -> str:
    """The user's file name, safe to show: no control characters, no folders unless asked."""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", raw or "")).replace("\\", "/").strip()
    if not keep_folders:
        text = text.rsplit("/", 1)[-1]
    text = text.strip("/ ")
    return (text[:120] if len(text) > 120 else text) or "未命名文件"


def safe_suffix(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def new_path(dest: Path, suffix: str) -> Path:
    return dest / f"{secrets.token_hex(8)}{suffix}"


def mb(n: int) -> str:
    return f"{round(n / (1 << 20), 1):g} MB"


def require_suffix(f: StoredFile, allowed: tuple[str, ...], what: str) -> None:
    if f.suffix not in allowed:
        shown = f.suffix or "无扩展名"
        raise UploadError(f"“{f.name}”的文件类型（{shown}）不支持：{what}请上传 {' '.join(allowed)} 文件")


class _Receiver:
    """python-multipart callbacks writing file parts into ``dest``, fields into memory."""

    def __init__(self, dest: Path, per_file: int, max_files: int) -> None:
        self.dest, self.per_file, self.max_files = dest, per_file, max_files
        self.form = Form()
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field = ""
        self._file: StoredFile | None = None
        self._fh: object = None
        self._data = bytearray()
        self._skip = False

    def on_part_begin(self) -> None:
        self._disposition, self._file, self._data, self._skip = b"", None, bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._disposition)
        self._field = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.form.fields) >= MAX_FIELDS:
                raise UploadError("表单字段太多")
            return
        raw = options[b"filename"].decode("utf-8", "replace")
        if not raw:  # a file input left empty
            self._skip = True
            return
        if len(self.form.files) >= self.max_files:
            raise UploadError(f"一次最多上传 {self.max_files} 个文件")
        name = display_name(raw)
        self._file = StoredFile(self._field, name, new_path(self.dest, safe_suffix(name)))
        self.form.files.append(self._file)
        self._fh = self._file.path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        if self._file is None:
            if len(self._data) + end - start > MAX_FIELD_BYTES:
                raise UploadError(f"“{self._field}”填写的内容太长（上限 {MAX_FIELD_BYTES // 1000} 千字节）")
            self._data += data[start:end]
            return
        self._file.size += end - start
        if self._file.size > self.per_file:
            raise UploadError(f"“{self._file.name}”超过 {mb(self.per_file)} 的上限，未上传", status=413)
        self._fh.write(data[start:end])  # type: ignore[attr-defined]

    def on_part_end(self) -> None:
        if self._file is not None:
            self._fh.close()  # type: ignore[attr-defined]
            self._fh = None
        elif not self._skip:
            self.form.fields[self._field] = self._data.decode("utf-8", "replace")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()  # type: ignore[attr-defined]


async def _drain(stream: AsyncIterator[bytes]) -> None:
    """Read the rest of the body and throw it away (a browser shows the message only after it has sent all)."""
    async for _ in stream:
        pass


async def receive_form(
    request: Request, dest: Path, *, per_file: int, total: int, max_files: int = 200
) -> Form:
    """The form of a multipart request, its files stored in ``dest``. Raises UploadError."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype not in (b"multipart/form-data", b"application/x-www-form-urlencoded") or (
        ctype == b"multipart/form-data" and b"boundary" not in params
    ):
        raise UploadError("请求格式不正确，请用页面上的表单上传")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > total:
        await _drain(request.stream())
        raise UploadError(
            f"上传的内容共 {mb(int(length))}，超过上限（每个文件不超过 {mb(per_file)}），未上传", status=413
        )
    if ctype == b"application/x-www-form-urlencoded":
        form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
        return Form(fields={k: str(v) for k, v in form.items()})
    dest.mkdir(parents=True, exist_ok=True)
    rec = _Receiver(dest, per_file, max_files)
    callbacks = {name: getattr(rec, name) for name in dir(rec) if name.startswith("on_")}
    parser = MultipartParser(params[b"boundary"], callbacks)  # type: ignore[arg-type]
    received = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > total:
                raise UploadError(f"上传的内容超过上限（每个文件不超过 {mb(per_file)}），未上传", status=413)
            parser.write(chunk)
        parser.finalize()
    except Exception as exc:
        rec.close()
        rec.form.discard()
        await _drain(stream)
        if isinstance(exc, UploadError):
            raise
        raise UploadError("上传的数据不完整或格式不正确，请重新上传") from exc
    return rec.form


def check_not_empty(form: Form) -> None:
    for f in form.files:
        if f.size == 0:
            form.discard()
            raise UploadError(f"“{f.name}”是空文件（0 字节），请检查后重新上传")


# --------------------------------------------------------------------------- zip


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it: zips from Chinese Windows store GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & UTF8_FLAG:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name


def unsafe_member(name: str) -> bool:
    norm = name.replace("\\", "/")
    parts = PurePosixPath(norm).parts
    return norm.startswith("/") or bool(re.match(r"^[A-Za-z]:", norm)) or ".." in parts


def expand_zip(
    archive: StoredFile, dest: Path, *, allowed: tuple[str, ...], per_file: int, total: int, max_files: int
) -> tuple[list[StoredFile], list[str]]:
    """The reports inside ``archive`` stored in ``dest`` (and the names skipped). Raises UploadError."""
    out: list[StoredFile] = []
    try:
        return _expand(archive, dest, allowed, per_file, total, max_files, out)
    except zipfile.BadZipFile as exc:
        raise UploadError(f"“{archive.name}”不是有效的 zip 压缩包或已损坏") from exc
    except BaseException:
        for f in out:
            f.path.unlink(missing_ok=True)
        raise
    finally:
        archive.path.unlink(missing_ok=True)


def _expand(
    archive: StoredFile,
    dest: Path,
    allowed: tuple[str, ...],
    per_file: int,
    total: int,
    max_files: int,
    out: list[StoredFile],
) -> tuple[list[StoredFile], list[str]]:
    skipped: list[str] = []
    used = 0
    with zipfile.ZipFile(archive.path) as zf:
        infos = zf.infolist()
        for info in infos:
            name = member_name(info)
            if unsafe_member(name):
                raise UploadError(
                    f"压缩包“{archive.name}”中的“{display_name(name, True)}”路径不安全（绝对路径或含“..”），已拒绝整个压缩包"
                )
        for info in infos:
            name = display_name(member_name(info), keep_folders=True)
            if info.is_dir():
                continue
            if any(p.startswith(".") or p == "__MACOSX" for p in PurePosixPath(name).parts):
                continue
            if info.flag_bits & 0x1:
                raise UploadError(f"压缩包“{archive.name}”中的“{name}”已加密，无法读取")
            if safe_suffix(name) not in allowed:
                skipped.append(name)
                continue
            if len(out) >= max_files:
                raise UploadError(f"压缩包“{archive.name}”中的报告超过 {max_files} 份")
            stored = StoredFile(archive.field, f"{archive.name}/{name}", new_path(dest, safe_suffix(name)))
            out.append(stored)
            used += _copy_member(zf, info, stored, per_file, total - used, total, archive.name)
            if stored.size == 0:
                raise UploadError(f"压缩包“{archive.name}”中的“{name}”是空文件")
    return out, skipped


def _copy_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    stored: StoredFile,
    per_file: int,
    left: int,
    total: int,
    zip_name: str,
) -> int:
    member = stored.name.split("/", 1)[-1]
    with zf.open(info) as src, stored.path.open("wb") as dst:
        while block := src.read(CHUNK):
            stored.size += len(block)
            if stored.size > per_file:
                raise UploadError(f"压缩包“{zip_name}”中的“{member}”超过 {mb(per_file)} 的上限", status=413)
            if stored.size > left:
                raise UploadError(f"压缩包“{zip_name}”解压后超过 {mb(total)} 的上限", status=413)
            dst.write(block)
    return stored.size
