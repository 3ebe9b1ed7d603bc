"""The corpus: the bundled documents (``corpus/manifest.yaml``) and files users add.

The bundled corpus is package data (``agent.corpus``) and is found with importlib.resources, so
it works from a checkout and from a non-editable ``pip install .``. (The module is not called
``agent/corpus.py`` because ``agent.corpus`` is the name of that data package.)

Metadata of a user-added file is detected from its title and text (kind, agency, place, year,
table format, status) and can be corrected in two ways, the later winning:

* a sidecar file next to it, ``<file name>.meta.yaml`` (e.g. ``报告.docx.meta.yaml``), holding the
  same keys as the manifest (``kind: 年度报告``, ``agency: 某某市某某局``, ``year: 2023`` …);
* ``report-agent ingest FILE --meta kind=工作要点 --meta year=2023``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml
from pydantic import BaseModel, ValidationError

from agent.errors import InputError
from agent.report.labels import ReportFormat

Kind = Literal["annual_report", "work_points", "implementation_report", "regulation", "spec"]
Status = Literal["current", "superseded"]
KINDS: tuple[str, ...] = get_args(Kind)
STATUSES: tuple[str, ...] = get_args(Status)
KIND_LABELS: dict[str, str] = {
    "annual_report": "政府信息公开工作年度报告",
    "work_points": "政务公开工作要点",
    "implementation_report": "工作要点落实情况报告",
    "regulation": "法律法规",
    "spec": "格式规范",
}
# what a clerk may type for --meta kind=… / status=…
_KIND_ALIASES: dict[str, str] = {
    "年度报告": "annual_report",
    "年报": "annual_report",
    "工作要点": "work_points",
    "要点": "work_points",
    "落实情况": "implementation_report",
    "落实情况报告": "implementation_report",
    "法规": "regulation",
    "法律": "regulation",
    "法律法规": "regulation",
    "条例": "regulation",
    "规范": "spec",
    "格式": "spec",
    "格式规范": "spec",
}
_STATUS_ALIASES: dict[str, str] = {
    "现行": "current",
    "有效": "current",
    "已废止": "superseded",
    "失效": "superseded",
}
META_KEYS = ("title", "kind", "agency", "place", "year", "format", "status")
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".html", ".htm", ".pdf")
SIDECAR_SUFFIX = ".meta.yaml"
BUNDLED_PREFIX = "corpus/"


class DocMeta(BaseModel):
    """One document of the corpus. ``doc_id`` is stable: ``corpus/<path>`` for bundled files,
    the absolute path for a user's file."""

    doc_id: str
    file: str  # file name shown to users
    title: str
    kind: Kind
    agency: str | None = None
    place: str | None = None
    year: int | None = None
    format: ReportFormat | None = None
    status: Status = "current"
    bundled: bool = False
    instructions: list[str] = []  # instruction-like phrases found at ingest (agent.corpus.screening)


@dataclass
class SourceDoc:
    """A document to ingest: its metadata and where its bytes are."""

    meta: DocMeta
    path: Path
    notes: list[str] = field(default_factory=list)  # what was guessed, for the user


# --------------------------------------------------------------------------- bundled corpus


def corpus_root() -> Path:
    """The bundled corpus folder (installed package data, or ``corpus/`` in a checkout)."""
    from agent.resources import corpus_dir

    return corpus_dir()


@lru_cache(maxsize=1)
def _manifest(root: Path) -> tuple[SourceDoc, ...]:
    path = root / "manifest.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"无法读取语料清单：{exc}", path=str(path)) from exc
    docs: list[SourceDoc] = []
    for i, entry in enumerate(data.get("documents", []), 1):
        rel = str(entry.get("file", ""))
        try:
            meta = DocMeta(
                doc_id=BUNDLED_PREFIX + rel,
                file=Path(rel).name,
                bundled=True,
                **{k: entry.get(k) for k in META_KEYS if entry.get(k) is not None},
            )
        except ValidationError as exc:
            raise InputError(f"第 {i} 项（{rel}）有误：{_first_error(exc)}", path=str(path)) from exc
        docs.append(SourceDoc(meta, root / rel))
    return tuple(docs)


def load_manifest() -> list[SourceDoc]:
    """Every document of the bundled corpus, in manifest order."""
    return list(_manifest(corpus_root()))


def bundled_ids() -> set[str]:
    return {d.meta.doc_id for d in load_manifest()}


# --------------------------------------------------------------------------- user files


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_document(path: Path) -> str:
    """The text of a document (txt/md/docx/html/pdf). Raises InputError naming the file."""
    from agent.report.reader import read_text

    text = read_text(Path(path))
    if not text.strip():
        raise InputError("文件是空的", path=str(path))
    return text


def collect_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into their supported files (sorted). Returns (files, problems)."""
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and _supported(f) and not f.name.startswith((".", "~$")):
                    files.append(f)
        elif p.is_file():
            if _supported(p):
                files.append(p)
            else:
                problems.append(
                    f"{p}: 不支持的文件类型“{p.suffix}”，支持 {'、'.join(SUPPORTED_SUFFIXES)}，已跳过"
                )
        else:
            problems.append(f"{p}: 文件或文件夹不存在，已跳过")
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, problems


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def load_sidecar(path: Path) -> dict[str, Any]:
    """Corrections from ``<file>.meta.yaml`` ({} when there is none)."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"元数据文件格式错误：{exc}", path=str(side)) from exc
    if not isinstance(data, dict):
        raise InputError("元数据文件应为“键: 值”的形式", path=str(side))
    return normalize_meta(data, where=str(side))


def parse_meta_options(pairs: list[str]) -> dict[str, Any]:
    """``["kind=年度报告", "year=2023"]`` → validated corrections."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--meta 应写成 键=值（例如 kind=年度报告），而不是“{pair}”")
        data[key.strip()] = value.strip()
    return normalize_meta(data, where="--meta")


def normalize_meta(data: dict[str, Any], where: str) -> dict[str, Any]:
    """Check keys and values of a correction; accept Chinese names for kind and status."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key).strip()
        if key not in META_KEYS:
            raise InputError(f"未知的元数据项“{key}”，可用：{'、'.join(META_KEYS)}", path=where)
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none", "无")):
            out[key] = None
            continue
        value = str(value).strip() if not isinstance(value, int) else value
        if key == "kind":
            value = _KIND_ALIASES.get(str(value), str(value))
            if value not in KINDS:
                choices = "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items())
                raise InputError(f"kind 只能是 {choices}，而不是“{data[key]}”", path=where)
        elif key == "status":
            value = _STATUS_ALIASES.get(str(value), str(value))
            if value not in STATUSES:
                raise InputError(
                    f"status 只能是 current（现行）或 superseded（已废止），而不是“{data[key]}”", path=where
                )
        elif key == "year":
            try:
                value = int(str(value).rstrip("年"))
            except ValueError:
                raise InputError(f"year 应为四位年份，而不是“{data[key]}”", path=where) from None
        elif key == "format":
            value = str(value).rstrip("版")
            if value not in ("2021", "2019"):
                raise InputError(f"format 只能是 2021 或 2019，而不是“{data[key]}”", path=where)
        out[key] = value
    if out.get("title") is None and "title" in out:
        del out["title"]
    if out.get("kind") is None and "kind" in out:
        del out["kind"]
    if out.get("status") is None and "status" in out:
        del out["status"]
    return out


def user_document(path: Path, text: str, overrides: dict[str, Any] | None = None) -> SourceDoc:
    """Metadata of a user's file: detected, then the sidecar, then ``--meta`` corrections."""
    detected, notes = detect_metadata(path, text)
    fixes = {**load_sidecar(path), **(overrides or {})}
    if "kind" in fixes:
        notes = [n for n in notes if "类型" not in n]
    data = {**detected, **fixes}
    try:
        meta = DocMeta(doc_id=str(Path(path).resolve()), file=Path(path).name, **data)
    except ValidationError as exc:
        raise InputError(f"元数据有误：{_first_error(exc)}", path=str(path)) from exc
    return SourceDoc(meta, Path(path), notes)


# --------------------------------------------------------------------------- detection

_META_LINE = re.compile(
    r"^\s*(索引号|文号|公开方式|公开日期|发布单位|发布机构|主题分类|发布时间|来源|正文|标题)\s*[:：|]?"
)
_LAW_TITLE = re.compile(r"(条例|法|规定|办法|细则|规则|决定|解释)(（[^）]*）)?$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ARTICLE_LINE = re.compile(r"^\s*第[零〇一二三四五六七八九十百千]+条", re.M)
_SUPERSEDED = re.compile(r"STATUS:\s*(已修改|已废止|失效)|已被.{0,20}取代|已废止|已失效")


def detect_metadata(path: Path, text: str) -> tuple[dict[str, Any], list[str]]:
    """Best guesses from the title and text, and notes on what could not be found."""
    notes: list[str] = []
    head_lines = [ln for ln in text.splitlines()[:40]]
    title = _find_title(head_lines) or Path(path).stem
    kind = _kind_from_title(title)
    if kind is None:
        kind = _kind_from_text(text)
        notes.append(f"未能从标题判断文档类型，按“{KIND_LABELS[kind]}”处理，可用 --meta kind=… 更正")
    data: dict[str, Any] = {"title": title, "kind": kind}
    if kind == "regulation":
        header = "\n".join(head_lines[:12])
        years = [int(y) for y in _YEAR.findall(header)]
        data["year"] = max(years) if years else None
        data["agency"] = _law_agency(header)
    else:
        agency, place = _agency_place(title, text)
        data["agency"], data["place"] = agency, place
        data["year"] = _year_of(title, text)
        if kind == "annual_report":
            data["format"] = _report_format(text, data["year"])
    head = "\n".join(head_lines[:20])
    if _SUPERSEDED.search(head) or "superseded" in Path(path).name.lower():
        data["status"] = "superseded"
    if data.get("year") is None:
        notes.append("未能识别年度，可用 --meta year=… 补充")
    return data, notes


def _find_title(lines: list[str]) -> str | None:
    try:
        from agent.report.parser import find_title

        found = find_title(lines)
    except ImportError:  # pragma: no cover - the parser is part of the package
        found = None
    if found:
        return found
    cleaned = [ln.strip().lstrip("#").strip().strip("*").strip() for ln in lines if ln.strip()]
    cleaned = [ln for ln in cleaned if not _META_LINE.match(ln) and not ln.startswith("<!--")][:8]
    for ln in cleaned:
        if len(ln) <= 60 and _LAW_TITLE.search(ln) and not ln.endswith(("。", "；")):
            return ln
    for ln in cleaned[:3]:
        if 4 <= len(ln) <= 40 and not ln.endswith(("。", "；", "，")):
            return re.sub(r"\s+", "", ln)
    return None


def _kind_from_title(title: str) -> Kind | None:
    t = re.sub(r"\s+", "", title)
    if "落实情况" in t:
        return "implementation_report"
    if "年度报告" in t or "年报" in t:
        return "annual_report"
    if "工作要点" in t:
        return "work_points"
    if "格式" in t and ("报告" in t or "规范" in t):
        return "spec"
    if _LAW_TITLE.search(t) or "法律" in t:
        return "regulation"
    return None


def _kind_from_text(text: str) -> Kind:
    if len(_ARTICLE_LINE.findall(text)) >= 3:
        return "regulation"
    from agent.report.sections import split_report

    _, sections = split_report(text)
    if len(sections) >= 3:
        return "annual_report"
    return "annual_report"


def _agency_place(title: str, text: str) -> tuple[str | None, str | None]:
    try:
        from agent.report.names import own_identity

        ident = own_identity(title, text)
        place = "".join(p.name for p in ident.chain) or None
        return (ident.full_agency or None), place
    except Exception:  # names data unavailable: fall back to the title's words
        m = re.match(r"^(?:\d{4}年度?)?([\u4e00-\u9fff]{2,30}?)(?:关于|\d{4}年|政府信息公开|政务公开)", title)
        return (m.group(1) if m else None), None


def _year_of(title: str, text: str) -> int | None:
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    m = re.search(r"统计期限[^。\n]{0,20}?((?:19|20)\d{2})\s*年", text)
    if m:
        return int(m.group(1))
    m = _YEAR.search(text[:2000])
    return int(m.group(1)) if m else None


def _report_format(text: str, year: int | None) -> ReportFormat | None:
    if re.search(r"本年新制作数量|上一年项目数量|第二十条第[（(]九[）)]项|政府集中采购", text):
        return "2019"
    if re.search(r"本年制发件数|本年废止件数|现行有效件数", text):
        return "2021"
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


def _law_agency(header: str) -> str | None:
    for pattern, name in (
        (r"国务院令|国务院.{0,6}常务会议", "国务院"),
        (r"全国人民代表大会常务委员会", "全国人民代表大会常务委员会"),
        (r"全国人民代表大会", "全国人民代表大会"),
        (r"最高人民法院", "最高人民法院"),
        (r"最高人民检察院", "最高人民检察院"),
        (r"中共中央", "中共中央"),
    ):
        if re.search(pattern, header):
            return name
    return None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err.get("loc", ()))
    return f"{loc}: {err.get('msg', '')}"


def describe(meta: DocMeta) -> str:
    """One line for the user: 《title》 kind · agency · year."""
    bits = [KIND_LABELS.get(meta.kind, meta.kind)]
    bits += [b for b in (meta.agency, f"{meta.year}年" if meta.year else None) if b]
    if meta.status == "superseded":
        bits.append("已废止")
    return f"{meta.file}（{' · '.join(cast(list[str], bits))}）"
