"""The official labels of the annual report: the one place they live in the code.

Everything that prints, parses or validates a heading, a table row or a table column takes
its text from here. Labels are reproduced character for character from the official format
(国办公开办函〔2021〕30号 and, for reports on 2019 and 2020, 国办公开办函〔2019〕60号).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Literal

ReportFormat = Literal["2021", "2019"]
FORMATS: tuple[ReportFormat, ...] = ("2021", "2019")

# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class SectionSpec:
    key: str
    number: str  # 一 … 六
    heading: str  # the official heading, with its number
    keywords: tuple[tuple[str, ...], ...]  # any group whose words all occur identifies the heading
    has_table: bool


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("overview", "一", "一、总体情况", (("总体情况",), ("总体",)), False),
    SectionSpec("proactive", "二", "二、主动公开政府信息情况", (("主动公开",),), True),
    SectionSpec(
        "requests",
        "三",
        "三、收到和处理政府信息公开申请情况",
        (("收到", "申请"), ("处理", "申请情况"), ("依申请公开",)),
        True,
    ),
    SectionSpec(
        "review", "四", "四、政府信息公开行政复议、行政诉讼情况", (("行政复议",), ("行政诉讼",)), True
    ),
    SectionSpec("problems", "五", "五、存在的主要问题及改进情况", (("问题",), ("改进",)), False),
    SectionSpec("other", "六", "六、其他需要报告的事项", (("其他需要报告",), ("其他", "事项")), False),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}
TABLE_SECTIONS = {"proactive": "表二", "requests": "表三", "review": "表四"}

REPORT_TITLE_SUFFIX = "政府信息公开工作年度报告"
STAT_PERIOD_TEMPLATE = "本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"

# --------------------------------------------------------------------------- table 2


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    kind: Literal["count", "amount", "delta"] = "count"  # amount: 万元, decimals; delta: may be negative
    derived: bool = False


@dataclass(frozen=True)
class Table2Block:
    key: str
    label: str  # 第二十条第（一）项
    columns: tuple[ColumnSpec, ...]
    rows: tuple[tuple[str, str], ...]  # (row key, row label)


_T2_2021 = (
    Table2Block(
        "art20_1",
        "第二十条第（一）项",
        (
            ColumnSpec("issued", "本年制发件数"),
            ColumnSpec("repealed", "本年废止件数"),
            ColumnSpec("in_force", "现行有效件数"),
        ),
        (("regulations", "规章"), ("normative", "行政规范性文件")),
    ),
    Table2Block(
        "art20_5",
        "第二十条第（五）项",
        (ColumnSpec("decisions", "本年处理决定数量"),),
        (("licensing", "行政许可"),),
    ),
    Table2Block(
        "art20_6",
        "第二十条第（六）项",
        (ColumnSpec("decisions", "本年处理决定数量"),),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    Table2Block(
        "art20_8",
        "第二十条第（八）项",
        (ColumnSpec("fee_amount", "本年收费金额（单位：万元）", "amount"),),
        (("admin_fees", "行政事业性收费"),),
    ),
)

_T2_2019_ITEMS = (
    ColumnSpec("prev_items", "上一年项目数量"),
    ColumnSpec("delta", "本年增/减", "delta"),
    ColumnSpec("decisions", "处理决定数量"),
)
_T2_2019 = (
    Table2Block(
        "art20_1",
        "第二十条第（一）项",
        (
            ColumnSpec("made", "本年新制作数量"),
            ColumnSpec("published", "本年新公开数量"),
            ColumnSpec("total_public", "对外公开总数量"),
        ),
        (("regulations", "规章"), ("normative", "规范性文件")),
    ),
    Table2Block(
        "art20_5",
        "第二十条第（五）项",
        _T2_2019_ITEMS,
        (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
    ),
    Table2Block(
        "art20_6", "第二十条第（六）项", _T2_2019_ITEMS, (("penalty", "行政处罚"), ("coercion", "行政强制"))
    ),
    Table2Block("art20_8", "第二十条第（八）项", _T2_2019_ITEMS[:2], (("admin_fees", "行政事业性收费"),)),
    Table2Block(
        "art20_9",
        "第二十条第（九）项",
        (ColumnSpec("items", "采购项目数量"), ColumnSpec("amount", "采购总金额（单位：万元）", "amount")),
        (("procurement", "政府集中采购"),),
    ),
)

TABLE2_BLOCKS: dict[ReportFormat, tuple[Table2Block, ...]] = {"2021": _T2_2021, "2019": _T2_2019}
TABLE2_TITLE = "主动公开政府信息情况"
TABLE2_ROW_HEADER = "信息内容"

# --------------------------------------------------------------------------- table 3

TABLE3_TITLE = "收到和处理政府信息公开申请情况"
TABLE3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_APPLICANTS = "申请人情况"
TABLE3_ORGS = "法人或其他组织"
TABLE3_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("natural", "自然人"),
    ColumnSpec("business", "商业企业"),
    ColumnSpec("research", "科研机构"),
    ColumnSpec("social", "社会公益组织"),
    ColumnSpec("legal", "法律服务机构"),
    ColumnSpec("other", "其他"),
    ColumnSpec("total", "总计", derived=True),
)
TABLE3_APPLICANT_COLUMNS = tuple(c.key for c in TABLE3_COLUMNS if not c.derived)


@dataclass(frozen=True)
class Table3Row:
    key: str
    label: str  # the leaf label as printed in its cell
    top: str  # 一/二/三/四 level label
    group: str | None = None  # （三）不予公开 etc. for the numbered sub-rows
    derived: bool = False

    @property
    def path(self) -> str:
        """Full label used in messages: 表三 <path> × <column>."""
        if self.top.startswith("三、"):
            return f"{self.group} {self.label}" if self.group else self.label
        return self.label


_TOP1 = "一、本年新收政府信息公开申请数量"
_TOP2 = "二、上年结转政府信息公开申请数量"
_TOP3 = "三、本年度办理结果"
_TOP4 = "四、结转下年度继续办理"
_G3 = "（三）不予公开"
_G4 = "（四）无法提供"
_G5 = "（五）不予处理"
_G6 = "（六）其他处理"


def _grp(group: str, prefix: str, items: tuple[tuple[str, str], ...]) -> tuple[Table3Row, ...]:
    return tuple(
        Table3Row(f"{prefix}_{k}", f"{i}.{label}", _TOP3, group) for i, (k, label) in enumerate(items, 1)
    )


_T3_HEAD = (
    Table3Row("new", _TOP1, _TOP1),
    Table3Row("carried", _TOP2, _TOP2),
    Table3Row("granted", "（一）予以公开", _TOP3),
    Table3Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", _TOP3),
    *_grp(
        _G3,
        "denied",
        (
            ("secret", "属于国家秘密"),
            ("law", "其他法律行政法规禁止公开"),
            ("safety", "危及“三安全一稳定”"),
            ("third_party", "保护第三方合法权益"),
            ("internal", "属于三类内部事务信息"),
            ("process", "属于四类过程性信息"),
            ("enforcement", "属于行政执法案卷"),
            ("query", "属于行政查询事项"),
        ),
    ),
    *_grp(
        _G4,
        "unable",
        (
            ("not_held", "本机关不掌握相关政府信息"),
            ("needs_creation", "没有现成信息需要另行制作"),
            ("unclear", "补正后申请内容仍不明确"),
        ),
    ),
    *_grp(
        _G5,
        "refused",
        (
            ("petition", "信访举报投诉类申请"),
            ("repeat", "重复申请"),
            ("publication", "要求提供公开出版物"),
            ("mass", "无正当理由大量反复申请"),
            ("confirm", "要求行政机关确认或重新出具已获取信息"),
        ),
    ),
)
_T3_TAIL = (
    Table3Row("result_total", "（七）总计", _TOP3, derived=True),
    Table3Row("carry_next", _TOP4, _TOP4),
)
_T3_OTHER_2021 = _grp(
    _G6,
    "other",
    (
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("misc", "其他"),
    ),
)
_T3_OTHER_2019 = (Table3Row("other", _G6, _TOP3),)

TABLE3_ROWS: dict[ReportFormat, tuple[Table3Row, ...]] = {
    "2021": (*_T3_HEAD, *_T3_OTHER_2021, *_T3_TAIL),
    "2019": (*_T3_HEAD, *_T3_OTHER_2019, *_T3_TAIL),
}
TABLE3_GROUPS = (_G3, _G4, _G5, _G6)
TABLE3_TOPS = (_TOP1, _TOP2, _TOP3, _TOP4)
# rows summed into （七）总计: every row under 三、 except the total itself
TABLE3_RESULT_ROWS: dict[ReportFormat, tuple[str, ...]] = {
    f: tuple(r.key for r in rows if r.top == _TOP3 and not r.derived) for f, rows in TABLE3_ROWS.items()
}

# --------------------------------------------------------------------------- table 4

TABLE4_TITLE = "政府信息公开行政复议、行政诉讼情况"
TABLE4_REVIEW = "行政复议"
TABLE4_LITIGATION = "行政诉讼"
TABLE4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("direct", "未经复议直接起诉"),
    ("after_review", "复议后起诉"),
)
TABLE4_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("upheld", "结果维持"),
    ColumnSpec("corrected", "结果纠正"),
    ColumnSpec("other", "其他结果"),
    ColumnSpec("pending", "尚未审结"),
    ColumnSpec("total", "总计", derived=True),
)


def table4_group_path(group_key: str) -> str:
    label = dict(TABLE4_GROUPS)[group_key]
    return label if group_key == "review" else f"{TABLE4_LITIGATION}（{label}）"


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: Literal["error", "warning", "info"]
    summary: str


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("T3-ROW", "error", "表三每行的总计应等于六类申请人之和"),
    RuleSpec("T3-RESULT", "error", "表三（七）总计应等于（一）至（六）各项之和"),
    RuleSpec("T3-BALANCE", "error", "表三 第一项加第二项之和应等于第三项加第四项之和"),
    RuleSpec("T4-TOTAL", "error", "表四各组总计应等于结果维持、结果纠正、其他结果、尚未审结之和"),
    RuleSpec("T2-VALUE", "error", "表二单元格为空、为“/”、为负数、不是数字或应为整数而不是整数"),
    RuleSpec("T3-VALUE", "error", "表三单元格为空、为“/”、为负数、不是数字或不是整数"),
    RuleSpec("T4-VALUE", "error", "表四单元格为空、为“/”、为负数、不是数字或不是整数"),
    RuleSpec("X-CARRY", "error", "本年“上年结转”与上年报告“结转下年度继续办理”不一致"),
    RuleSpec("X-VALID", "warning", "现行有效件数与上年现行有效件数加制发减废止不一致"),
    RuleSpec("SECTION-MISSING", "error", "缺少必备的部分"),
    RuleSpec("SECTION-ORDER", "error", "各部分顺序与规定格式不一致"),
    RuleSpec("SECTION-HEADING", "warning", "标题与规定格式不一致"),
    RuleSpec("TABLE-MISSING", "error", "第二、三、四部分缺少统计表"),
    RuleSpec("FORMAT-VERSION", "warning", "统计表格式与报告年度不符"),
    RuleSpec("NARRATIVE-TABLE", "error", "正文中的数字与统计表不一致"),
    RuleSpec("YEAR", "error", "标题、统计期限和正文中的年度不一致"),
    RuleSpec("ENUM-GAP", "warning", "序号跳号或重复"),
    RuleSpec("FOREIGN-AGENCY", "error", "正文出现其他机关或地方的名称"),
    RuleSpec("PLACEHOLDER", "error", "残留未填写的占位文字"),
    RuleSpec("FEE-STATEMENT", "warning", "第六部分未说明信息处理费收取情况或与数据矛盾"),
    # Statements against the tables and each other (agent/report/statements.py)
    RuleSpec("STMT-FEE", "error", "关于收费的表述前后矛盾，或与收费数据不一致"),
    RuleSpec("STMT-DONE", "error", "称申请均已办结，而表三有结转下年度的申请（或结转件数与表三不一致）"),
    RuleSpec("STMT-REVIEW", "error", "关于行政复议、行政诉讼的表述与表四不一致"),
    RuleSpec("DUPLICATE", "warning", "正文中有重复的句子"),
    # Parts twice and mixed editions (agent/report/repeats.py)
    RuleSpec("SECTION-TWICE", "warning", "同一部分的标题出现两次"),
    RuleSpec("TABLE-TWICE", "warning", "同一张统计表出现两次"),
    RuleSpec("FORMAT-MIXED", "warning", "表二、表三分别采用了2019年版和2021年版格式"),
    # Not in the spec's table: a report whose title (agency and year) cannot be found.
    RuleSpec("TITLE", "warning", "未找到含机关名称和年度的报告标题"),
    # Not in the spec's table: how the tables were read (cells not read reliably: warning;
    # run-together digits decided by the identities: info); a part or table printed twice; tables
    # of both formats in one report.
    RuleSpec("TABLE-READ", "warning", "统计表中未能可靠识别的单元格（请核对原文），或按勾稽关系确定的读法"),
)
RULE_BY_ID = {r.id: r for r in RULES}

# --------------------------------------------------------------------------- helpers

CN_DIGITS = "一二三四五六七八九十"
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；", "?": "？", "!": "！"})
_SPACE_RE = re.compile(r"[\s\u3000]+")


@functools.lru_cache(maxsize=1 << 16)
def normalize_label(text: str) -> str:
    """Canonical form used to compare labels: no spaces, full-width brackets, '1、'→'1.'."""
    text = _SPACE_RE.sub("", text).translate(_HALF_TO_FULL)
    text = re.sub(r"(\d+)[、．]", r"\1.", text)
    return text.replace('"', "“").replace("”", "“").replace("“", "“")


def core_label(text: str) -> str:
    """The label without its enumerator: '（一）予以公开' → '予以公开', '1.属于国家秘密' → '属于国家秘密'."""
    text = normalize_label(text)
    return re.sub(rf"^(?:[{CN_DIGITS}]+、|（[{CN_DIGITS}]+）|\d+\.)", "", text)


@dataclass
class LabelIndex:
    """Maps the ways a user may write a label to its key (full, normalized, core)."""

    entries: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, *labels: str) -> None:
        for label in labels:
            for form in (normalize_label(label), core_label(label)):
                self.entries.setdefault(form, key)

    def lookup(self, text: str) -> str | None:
        return self.entries.get(normalize_label(text)) or self.entries.get(core_label(text))
