"""How far a report covers the requirements of a 政务公开工作要点 notice.

The report may be a 工作要点落实情况 report or an annual report (whose section 一 or 六 speaks
of the work points): only its narrative counts. The text is cut into sentences with
:func:`agent.narrative.split_sentences` (table lines with ``|`` or a tab left out); a short line
without a sentence end (≤ 24 characters) is the report's own sub-heading: it is cut off as a
sentence of its own and is never evidence, only context.

Matching is lexical and explainable:

* **Words.** Text is normalised (互联网协议第6版/IPv6 → ``IPv6``; 一把手/主要负责同志/局长/党组书记
  → 主要领导; 分管副局长 → 分管领导; 释义 → 解读; 轮训/培训班 → 培训; 开放周 → 开放日; 政务新媒体 →
  新媒体, and 微博/微信/公众号 also count as 新媒体; 规定时限 → 法定期限; long document names in
  《》 are dropped) and cut by a private jieba tokenizer (precise mode, no HMM, domain words added,
  no log output). Generic words (工作, 加强, 推进, 公开, 政务公开, 民族宗教 …) and single characters
  are dropped. A word's dictionary prefix/suffix (汇报 of 工作汇报) may stand for it at half credit.
* **Weights.** A word of requirement R weighs ``ln(1 + N/df)`` (N requirements in the notice, df of
  them using the word) × 2 in R's title (× 1.5 more for a key term of the field: IPv6, 新媒体,
  重大行政决策, 开放日, 规范性文件, 培训, 解读, 目录, 汇报, 意识形态 …); outside the title a key term
  weighs × 1.5 and a boilerplate word of every report (回应, 关切, 发布, 社会公众, 制度 …) × 0.3.
* **Key words** of R: its title words and the ``BODY_TERMS`` = 10 heaviest other words. A sentence's
  *share* is the weight it matches (any word of R) over the key words' weight.
* **Evidence.** A sentence is evidence for R when it names the duty itself (a specific term such as
  IPv6/重大行政决策/开放日/规范性文件/集约化, or a key term of R's title such as 新媒体 or 培训), or
  when it matches ≥ ``MIN_HITS`` = 2 words (a boilerplate word counts half) with a share ≥
  ``SENTENCE_MIN`` = 0.15 if one of them is a title word, ≥ ``UNANCHORED_MIN`` = 0.25 otherwise.
  A short sentence (≤ 20 characters, no number) that is ≥ 80 % made of a notice title is an echo
  of the notice, not evidence.
* **Obligations** (see :mod:`agent.requirements`): the sentence that matches ≥ ``OBLIGATION_MIN`` =
  0.5 of the obligation's own words (title boost removed; ≥ 2 words, or all of them) evidences it;
  a sentence serves one quantity only. For a quantity, the number with a compatible unit nearest the
  matched words is compared with the requirement (次/场/期/轮/批 count alike; 两次 → 2, 多次 → 2):
  a smaller number is *not satisfied*, said explicitly, as is 未/尚未 + verb with no number. A
  deadline fails on 尚未/正在/计划 and is met on 已/完成/实现/上线/支持.
* **Status.** Coverage is measured in one place of the report: the evidence within ``WINDOW`` = 4
  lines of each other (plus the sub-heading just above, for the title); the best place counts.
  ``addressed`` (已落实) when that place covers ≥ ``TITLE_MIN`` = 0.5 of the title weight, ≥
  ``BODY_MIN`` = 0.25 of the other key words and ≥ ``KEY_MIN`` = 0.4 of all key-word weight, and
  every obligation is evidenced and not failed (mentioned without a number is accepted and shown
  as ？); ``partly`` (部分落实) when there is any evidence; ``not_addressed`` (未体现) otherwise.
  Asking for body words keeps a report that only repeats the notice's titles from being
  “addressed”. ``score`` = key-word coverage, averaged 60/40 with the share of obligations met.

The thresholds were set on the labelled cases in ``eval/requirements/`` (``run_eval.py``): seed
002 against a made-up 落实情况 report, a titles-only report and the annual reports 003/004; seed
000 against 002 and against a notice written from its own headings; two held-out cases. See the
README there for the numbers.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from agent.narrative import Sentence, split_sentences
from agent.requirements import Notice, Obligation, Requirement, cn_to_int, style_sheet

Status = Literal["addressed", "partly", "not_addressed"]
STATUS_CN: dict[str, str] = {"addressed": "已落实", "partly": "部分落实", "not_addressed": "未体现"}

MIN_HITS = 2
SENTENCE_MIN = 0.15
UNANCHORED_MIN = 0.25
WINDOW = 4
OBLIGATION_MIN = 0.5
TITLE_MIN = 0.5
KEY_MIN = 0.4
BODY_MIN = 0.25
BODY_TERMS = 10
ECHO_MIN = 0.8
ECHO_MAX_LEN = 20
HEADING_MAX = 24
MAX_EVIDENCE = 3
PART_CREDIT = 0.5
TITLE_BOOST = 2.0
KEY_BOOST = 1.5
LOW_VALUE = 0.3
LOW_VALUE_CONCEPT = 0.5
CONTEXT_LINES = 2

# --------------------------------------------------------------------------- the model


class Evidence(BaseModel):
    text: str
    line: int
    location: str
    score: float
    terms: list[str] = Field(default_factory=list)


class ObligationCheck(BaseModel):
    obligation: Obligation
    evidenced: bool
    satisfied: bool | None = None  # None: mentioned, but the report does not say enough to judge
    found: str | None = None  # what the report states, e.g. “2次”
    note: str = ""
    evidence: Evidence | None = None

    @property
    def mark(self) -> str:
        if self.satisfied is False or not self.evidenced:
            return "✗"
        return "✓" if self.satisfied else "？"


class RequirementCoverage(BaseModel):
    requirement: Requirement
    status: Status
    score: float
    title_coverage: float
    key_coverage: float
    matched_terms: list[str] = Field(default_factory=list)
    missing_terms: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    obligations: list[ObligationCheck] = Field(default_factory=list)


class Coverage(BaseModel):
    notice_title: str = ""
    notice_source: str = ""
    source: str = ""
    items: list[RequirementCoverage] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def get(self, req_id: str) -> RequirementCoverage | None:
        return next((i for i in self.items if i.requirement.id == req_id), None)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in STATUS_CN}


# --------------------------------------------------------------------------- terms


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"互联网协议\s*第?\s*(?:6|六)\s*版|(?i:ip\s*v\s*6)"), "IPv6"),
    (re.compile(r"一把手|主要负责同志|主要负责人|主要负责领导|主要领导同志"), "主要领导"),
    (re.compile(r"分管负责同志|分管副局长|分管局领导|分管负责人"), "分管领导"),
    (re.compile(r"(?:局)?党组书记|(?<![副])局长(?!信箱|电子信箱)"), "主要领导"),
    (re.compile(r"释义"), "解读"),
    (re.compile(r"政务新媒体|政务媒体"), "新媒体"),
    (re.compile(r"轮训|培训班|培训会"), "培训"),
    (re.compile(r"开放周|开放月"), "开放日"),
    (re.compile(r"(?:规定|法定)(?:时间|时限|期限)"), "法定期限"),
    (re.compile(r"《[^《》]{16,}》"), "《》"),
)
_EXPAND = {
    w: "新媒体" for w in ("微博", "微信", "公众号", "微信公众号", "政务微博", "政务微信", "抖音", "头条号")
}
_USER_WORDS = _wordset(
    """政务新媒体 新媒体 重大行政决策 政府开放日 开放日 规范性文件 标准目录 门户网站 主要领导 分管领导 意识形态 依申请公开 第三方评估 社会评议 疫情防控 政策解读
    留言板 联络员 人大代表 政协委员 待办事项 决策草案 决策依据 集约化 IPv6 宗教活动场所 公共服务 事业单位 领导信箱 市民服务热线 公文备案 专项评议
    信息公开 政务公开 微博 微信 公众号 微信公众号 政务微博 政务微信 抖音 头条号 小程序 回头看"""
)
KEY_TERMS = _wordset(
    """IPv6 新媒体 重大行政决策 开放日 规范性文件 培训 解读 目录 汇报 意识形态 疫情防控 事业单位 评议 集约化 留言 联络员 经费 决策草案"""
)
# One of these alone (with enough weight) makes a sentence evidence: they name a specific duty.
SPECIFIC_TERMS = _wordset(
    "IPv6 重大行政决策 开放日 规范性文件 意识形态 集约化 决策草案 联络员 社会评议 专项评议"
)
# Words of every report (回应关切, 发布, 社会公众 …): they count, but weigh LOW_VALUE.
BOILERPLATE = _wordset(
    """发布 回应 关切 关注 社会公众 公众 意见 制度 内容 方式 基础 职责 引导 宣传 交流 参与 问题 存在 结果
    精神 会议 政策 文件 措施 及时发布 充分运用 运用"""
)
STOPWORDS = _wordset(
    """工作 加强 进一步 一步 推进 深入 做好 完善 提高 提升 强化 积极 及时 不断 切实 相关 开展 落实 有关
    进行 重点 全面 机制 建设 管理 公开 政务 信息 政务公开 信息公开 政府信息 单位 本单位 我局 本局 局
    民族 宗教 民族宗教 各类 各项 方面 情况 持续 以及 通过 按照 要求 实现 确保 严格 年内 全年 年度 今年
    充分 能力 水平 作用 社会 群众 人民 服务 主体 责任 活动 有效 更好 形成 建立 健全 推动 深化 细化
    优化 增强 发挥 坚持 围绕 结合 根据 实际 特点 我们 本年 认真 高度 重视 相应 一是 二是 三是 四是
    五是 重要 明确 目前 已经 同时 此外 还要 不少 至少 不少于 少于 市民 市民族宗教局 民宗局 民宗 系统 领域 工作人员
    人员 公开透明 相关工作 做到 保证 保障 规范 规范化 标准化 常态 常态化 主动 依法 具体 负责 组织 部署
    推进会 专题 研究 开设 设置 栏目 专栏 平台 网站 政府 年底 之前 以前 第一 时间 实施 加大 力度"""
)
_DIGITS = re.compile(r"^[\d.]+$")
_PIECE_FREQ = 50


@functools.cache
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.CRITICAL)
    tk = jieba.Tokenizer()
    for w in _USER_WORDS:
        tk.add_word(w, freq=200000)
    tk.initialize()
    return tk


def normalise(text: str) -> str:
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True)
class _Tok:
    term: str
    start: int
    word: str  # the jieba word the term comes from (门户 and 门户网站 both from 门户网站)
    piece: bool = False  # a prefix or suffix of a longer word


def _pieces_of(w: str, tk: Any) -> list[str]:
    return [p for n in (2, 3) if len(w) > n for p in (w[:n], w[-n:]) if tk.FREQ.get(p, 0) >= _PIECE_FREQ]


def tokens(text: str) -> list[_Tok]:
    """Content terms of ``text`` (normalised), with their offsets in the normalised text.

    jieba's precise mode without HMM; each word also yields its 2- and 3-character prefix and
    suffix when they are dictionary words (工作汇报 → 汇报, 意识形态 → 意识, 形态), marked as pieces:
    inner pieces such as 要领 in 主要领导 are never taken.
    """
    tk: Any = _tokenizer()
    found: list[_Tok] = []
    for word, start, _ in tk.tokenize(normalise(text), mode="default", HMM=False):
        w = word.strip()
        for piece in dict.fromkeys([w, *_pieces_of(w, tk)]):
            if _is_term(piece):
                found.append(_Tok(piece, start, w, piece != w))
                if piece in _EXPAND:
                    found.append(_Tok(_EXPAND[piece], start, w, piece != w))
    return found


def _is_term(w: str) -> bool:
    if not w or w in STOPWORDS or _DIGITS.match(w):
        return False
    return len(w) >= 2 and bool(re.search(r"[\u4e00-\u9fffA-Za-z]", w))


def words(text: str) -> list[str]:
    """The content words of ``text`` in order of first appearance (pieces left out)."""
    return list(dict.fromkeys(t.term for t in tokens(text) if not t.piece))


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\s，。；：、“”‘’《》（）()!！?？,.;:]", "", text)
    return {s[i : i + 2] for i in range(len(s) - 1)}


# --------------------------------------------------------------------------- report sentences


@dataclass
class _RSentence:
    sentence: Sentence
    terms: set[str]
    toks: list[_Tok]
    norm: str
    echo: bool
    location: str

    def concepts(self, used: set[str]) -> int:
        """How many distinct words of the sentence the used terms come from."""
        return len({t.word for t in self.toks if t.term in used})


def _section_locator(text: str) -> list[tuple[int, str]]:
    from agent.sections import split_report

    _, sections = split_report(text)
    return [(s.line, s.heading) for s in sections]


def _heading_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the report's own sub-headings: short lines without a sentence end."""
    found: set[int] = set()
    for i, raw in enumerate(lines):
        t = raw.strip()
        if t and len(t) <= HEADING_MAX and not _NOT_HEADING.search(t) and "\t" not in raw:
            found.add(i + 1)
    return found


def _report_sentences(text: str, notice: Notice) -> list[_RSentence]:
    heads = _section_locator(text)
    names = {notice.title, *(r.parent for r in notice.requirements), *(r.title for r in notice.requirements)}
    titles = [_bigrams(t) for t in names if t]
    lines = text.split("\n")
    headings = _heading_lines(lines)
    # a heading followed directly by its paragraph is cut off as a sentence of its own
    cut = [f"{line}。" if n in headings else line for n, line in enumerate(lines, start=1)]
    out = []
    for s in split_sentences("\n".join(cut), None, 1):
        is_heading = s.line in headings and s.text.removesuffix("。") == lines[s.line - 1].strip()
        body = s.text.removesuffix("。") if is_heading else s.text
        if len(body) < 4:
            continue
        head = next((h for line, h in reversed(heads) if line <= s.line), "")
        toks = tokens(body)
        out.append(
            _RSentence(
                sentence=Sentence(body, s.section, s.line),
                terms={t.term for t in toks},
                toks=toks,
                norm=normalise(body),
                echo=is_heading or _is_echo(body, titles),
                location=f"{head} 第{s.line}行" if head else f"第{s.line}行",
            )
        )
    return out


def _is_echo(text: str, titles: list[set[str]]) -> bool:
    """A short sentence (≤ 20 characters, no number) made of one of the notice's titles (≥ 80 %)."""
    grams = _bigrams(text)
    if not grams:
        return True
    if len(text) > ECHO_MAX_LEN or re.search(r"\d", text):
        return False
    return any(len(grams & t) / len(grams) >= ECHO_MIN for t in titles)


# --------------------------------------------------------------------------- requirement profiles


@dataclass
class _Match:
    credit: dict[str, float]  # requirement word → 1 (the word itself) or PART_CREDIT (a piece of it)
    used: set[str]  # the sentence terms that matched
    share: float  # matched weight / total weight of the words asked for
    concepts: float  # matched words (a piece counts PART_CREDIT), at most the sentence words involved


@dataclass
class _Profile:
    req: Requirement
    weights: dict[str, float]
    title_words: list[str]
    key_words: list[str]
    all_words: list[str]
    pieces: dict[str, list[str]]

    def plain_weight(self, w: str, default: float = 1.0) -> float:
        weight = self.weights.get(w, default)
        return weight / TITLE_BOOST if w in self.title_words else weight

    def weight(self, ws: list[str] | set[str]) -> float:
        return sum(self.weights.get(w, 1.0) for w in set(ws))

    def names_duty(self, m: _Match) -> bool:
        """The sentence names the duty itself: a specific term, or a key term of the title."""
        return any(
            c >= 1.0 and (w in SPECIFIC_TERMS or (w in KEY_TERMS and w in self.title_words))
            for w, c in m.credit.items()
        )

    def match(self, ws: list[str], rs: _RSentence, total: float | None = None, plain: bool = False) -> _Match:
        """What of ``ws`` the sentence matches; ``plain``: title words without their title boost."""
        credit: dict[str, float] = {}
        used: set[str] = set()
        for w in ws:
            if w in rs.terms:
                credit[w] = 1.0
                used.add(w)
                continue
            hit = [p for p in self.pieces.get(w, ()) if p in rs.terms]
            if hit:
                credit[w] = PART_CREDIT
                used.update(hit)
        weight = self.plain_weight if plain else self.weights.get
        total = total or sum(weight(w, 1.0) for w in set(ws)) or 1.0
        share = min(1.0, sum(weight(w, 1.0) * c for w, c in credit.items()) / total)
        concepts = sum(c * (LOW_VALUE_CONCEPT if w in BOILERPLATE else 1.0) for w, c in credit.items())
        concepts = min(concepts, rs.concepts(used))
        return _Match(credit, used, share, concepts)


def _useful_pieces(w: str, tk: Any) -> list[str]:
    """Pieces that may stand for ``w`` (partial credit): not generic, not boilerplate."""
    return [p for p in _pieces_of(w, tk) if _is_term(p) and p not in BOILERPLATE]


def _profiles(notice: Notice) -> list[_Profile]:
    tk: Any = _tokenizer()
    docs = [words(f"{r.title}\n{r.text}") for r in notice.requirements]
    n = max(len(docs), 1)
    df: dict[str, int] = {}
    for d in docs:
        for w in set(d):
            df[w] = df.get(w, 0) + 1
    profiles = []
    for req, doc in zip(notice.requirements, docs, strict=True):
        title = words(req.title)
        weights = {}
        for w in doc:
            idf = math.log(1 + n / df[w])
            if w in title:
                boost = TITLE_BOOST * (KEY_BOOST if w in KEY_TERMS else 1.0)
            else:
                boost = KEY_BOOST if w in KEY_TERMS else LOW_VALUE if w in BOILERPLATE else 1.0
            weights[w] = idf * boost
        body = sorted((w for w in doc if w not in title), key=lambda w: -weights[w])[:BODY_TERMS]
        pieces = {w: _useful_pieces(w, tk) for w in doc}
        for ob in req.obligations:
            for w in words(ob.text):
                pieces.setdefault(w, _useful_pieces(w, tk))
        profiles.append(_Profile(req, weights, title, title + body, doc, pieces))
    return profiles


# --------------------------------------------------------------------------- obligations

_NOT_HEADING = re.compile(r"[。；;！!？?：:，,、|]$|\|")
_EVENT_UNITS = {"次", "场", "期", "轮", "批"}
_REPORT_NUM = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[一两二三四五六七八九十]{1,3}|多|数|若干|几)\s*(?P<unit>个工作日|人次|次|场|期|轮|批|项|个|篇|条|件|家|名|人|天|日|周|小时|%|％)"
)
_DID = "开展|召开|组织|听取|举办|参加|邀请|实现|完成|进行|建立|制定|发布|公开|落实"
_NEGATION = re.compile(rf"尚未|仍未|未能|暂未|(?:没有|未曾|未)(?:{_DID})")
_NOT_YET = re.compile(r"尚未|仍未|未能|没有|暂未|正在|推进中|计划|拟于|将于|下一步")
_DONE = re.compile(r"已|完成|实现|建成|上线|开通|支持|改造")


def _units_match(required: str | None, found: str) -> bool:
    if required is None:
        return True
    return found == required or (required in _EVENT_UNITS and found in _EVENT_UNITS)


def _report_numbers(rs: _RSentence, unit: str | None) -> list[tuple[int, float, str]]:
    """(offset, value, as written) of the counts with a unit compatible with ``unit``."""
    found = []
    for m in _REPORT_NUM.finditer(rs.norm):
        if not _units_match(unit, m.group("unit")) or rs.norm[max(0, m.start() - 1) : m.start()] == "第":
            continue
        raw = m.group("num")
        if raw in ("多", "数", "若干", "几"):
            value = 2.0
        elif raw[0].isdigit():
            value = float(raw)
        else:
            v = cn_to_int(raw)
            if v is None:
                continue
            value = float(v)
        found.append((m.start(), value, m.group(0)))
    return found


def _candidates(
    ob: Obligation, prof: _Profile, sentences: list[_RSentence]
) -> list[tuple[float, _RSentence, _Match]]:
    """Sentences that evidence ``ob``, best first (a count with the right unit ranks a quantity higher)."""
    ws = words(ob.text)
    need = min(MIN_HITS, len(ws))
    found = []
    for rs in sentences:
        if rs.echo or not ws:
            continue
        m = prof.match(ws, rs, plain=True)
        if m.concepts < need or m.share < OBLIGATION_MIN:
            continue
        bonus = 0.5 if ob.kind == "quantity" and _report_numbers(rs, ob.unit) else 0.0
        found.append((m.share + bonus, rs, m))
    return sorted(found, key=lambda x: (-x[0], x[1].sentence.line))


def _check_obligations(prof: _Profile, sentences: list[_RSentence]) -> list[ObligationCheck]:
    """Each obligation with its best sentence; a sentence counts for one quantity only."""
    obs = prof.req.obligations
    cands = [_candidates(o, prof, sentences) for o in obs]
    order = sorted(range(len(obs)), key=lambda i: -(cands[i][0][0] if cands[i] else 0.0))
    taken: set[int] = set()
    checks: dict[int, ObligationCheck] = {}
    for i in order:
        free = [c for c in cands[i] if obs[i].kind != "quantity" or id(c[1]) not in taken]
        if obs[i].kind == "quantity" and free:
            taken.add(id(free[0][1]))
        checks[i] = (
            _judge(obs[i], free[0][1], free[0][2])
            if free
            else ObligationCheck(obligation=obs[i], evidenced=False, note="报告中未见相应表述")
        )
    return [checks[i] for i in range(len(obs))]


def _judge(ob: Obligation, rs: _RSentence, m: _Match) -> ObligationCheck:
    ev = _evidence(rs, m)
    if ob.kind == "quantity":
        return _judge_quantity(ob, rs, m, ev)
    if (_NOT_YET if ob.kind == "deadline" else _NEGATION).search(rs.norm):
        return ObligationCheck(
            obligation=ob, evidenced=True, satisfied=False, note="报告表明尚未完成", evidence=ev
        )
    if ob.kind == "deadline":
        done = bool(_DONE.search(rs.norm))
        note = "报告表明已完成" if done else "报告提及，但未说明是否按期完成"
        return ObligationCheck(
            obligation=ob, evidenced=True, satisfied=True if done else None, note=note, evidence=ev
        )
    return ObligationCheck(obligation=ob, evidenced=True, satisfied=True, note="报告有相应表述", evidence=ev)


def _judge_quantity(ob: Obligation, rs: _RSentence, m: _Match, ev: Evidence) -> ObligationCheck:
    numbers = _report_numbers(rs, ob.unit)
    required = ob.describe()
    if not numbers:
        if _NEGATION.search(rs.norm):
            note = f"报告表明未做到（要求{required}）"
            return ObligationCheck(obligation=ob, evidenced=True, satisfied=False, note=note, evidence=ev)
        note = f"报告提及，但未写明数量（要求{required}）"
        return ObligationCheck(obligation=ob, evidenced=True, satisfied=None, note=note, evidence=ev)
    anchors = [t.start for t in rs.toks if t.term in m.used] or [0]
    _, value, written = min(numbers, key=lambda n: min(abs(n[0] - a) for a in anchors))
    need = ob.number or 0.0
    at_most = ob.comparator == "<="
    ok = value <= need if at_most else value >= need
    if ok:
        note = f"报告为{written}，满足要求（{required}）"
    elif at_most:
        note = f"报告为{written}，超过要求（{required}），未达到"
    else:
        note = f"报告为{written}，低于要求（{required}），未达到"
    return ObligationCheck(obligation=ob, evidenced=True, satisfied=ok, found=written, note=note, evidence=ev)


# --------------------------------------------------------------------------- coverage


def _evidence(rs: _RSentence, m: _Match) -> Evidence:
    return Evidence(
        text=rs.sentence.text,
        line=rs.sentence.line,
        location=rs.location,
        score=round(min(m.share, 1.0), 3),
        terms=sorted(m.credit),
    )


def _context_words(prof: _Profile, evidence_lines: set[int], sentences: list[_RSentence]) -> set[str]:
    """Title words named by the report's sub-heading just above (or on the line of) the evidence."""
    near = {n - d for n in evidence_lines for d in range(CONTEXT_LINES + 1)}
    found: set[str] = set()
    for rs in sentences:
        if rs.sentence.line in near:
            found.update(w for w, c in prof.match(prof.title_words, rs).credit.items() if c >= 1.0)
    return found


def _is_evidence(prof: _Profile, m: _Match) -> bool:
    """Names the duty; or ≥ 2 words with enough weight, less needed when a title word is among them."""
    if prof.names_duty(m):
        return True
    anchored = any(c >= 1.0 and w in prof.title_words for w, c in m.credit.items())
    return m.concepts >= MIN_HITS and m.share >= (SENTENCE_MIN if anchored else UNANCHORED_MIN)


@dataclass
class _Place:
    """One place of the report (evidence within WINDOW lines of each other) and what it covers."""

    title: float
    body: float
    key: float
    credit: dict[str, float]


def _place(prof: _Profile, group: list[tuple[_RSentence, _Match]], sentences: list[_RSentence]) -> _Place:
    credit: dict[str, float] = {}
    for _, m in group:
        for w, c in m.credit.items():
            credit[w] = max(credit.get(w, 0.0), c)
    for w in _context_words(prof, {rs.sentence.line for rs, _ in group}, sentences):
        credit[w] = 1.0

    def cov(ws: list[str]) -> float:
        total = prof.weight(ws)
        return sum(prof.weights[w] * credit.get(w, 0.0) for w in ws) / total if total else 1.0

    body = [w for w in prof.key_words if w not in prof.title_words]
    return _Place(cov(prof.title_words), cov(body), cov(prof.key_words), credit)


def _best_place(
    prof: _Profile, scored: list[tuple[_RSentence, _Match]], sentences: list[_RSentence]
) -> _Place:
    places = [
        _place(prof, [x for x in scored if abs(x[0].sentence.line - rs.sentence.line) <= WINDOW], sentences)
        for rs, _ in scored
    ]
    return max(places, key=lambda p: (p.key, p.title), default=_Place(0.0, 0.0, 0.0, {}))


def _cover_one(prof: _Profile, sentences: list[_RSentence]) -> RequirementCoverage:
    scored: list[tuple[_RSentence, _Match]] = []
    total = prof.weight(prof.key_words)
    for rs in sentences:
        if not rs.echo:
            m = prof.match(prof.all_words, rs, total=total)
            if _is_evidence(prof, m):
                scored.append((rs, m))
    scored.sort(key=lambda x: (-x[1].share, x[0].sentence.line))
    place = _best_place(prof, scored, sentences)
    checks = _check_obligations(prof, sentences)
    met = [c for c in checks if c.evidenced and c.satisfied is not False]
    score = place.key if not checks else 0.6 * place.key + 0.4 * len(met) / len(checks)
    evidence = [_evidence(rs, m) for rs, m in scored[:MAX_EVIDENCE]]
    for c in checks:
        if c.evidence and all(e.line != c.evidence.line or e.text != c.evidence.text for e in evidence):
            evidence.append(c.evidence)
    covered = place.title >= TITLE_MIN and place.body >= BODY_MIN and place.key >= KEY_MIN
    if scored and covered and len(met) == len(checks):
        status: Status = "addressed"
    elif scored or any(c.evidenced for c in checks):
        status = "partly"
    else:
        status = "not_addressed"
    return RequirementCoverage(
        requirement=prof.req,
        status=status,
        score=round(score, 3),
        title_coverage=round(place.title, 3),
        key_coverage=round(place.key, 3),
        matched_terms=[w for w in prof.key_words if place.credit.get(w)],
        missing_terms=[w for w in prof.key_words if not place.credit.get(w)],
        evidence=evidence,
        obligations=checks,
    )


def coverage(report_text: str, notice: Notice, *, source: str = "") -> Coverage:
    """For each requirement of ``notice``: status, evidence sentences, score, obligation checks."""
    sentences = _report_sentences(report_text, notice)
    items = [_cover_one(p, sentences) for p in _profiles(notice)]
    warnings = []
    if not sentences:
        warnings.append("报告中没有可供比对的文字（表格以外的叙述部分为空）")
    return Coverage(
        notice_title=notice.title, notice_source=notice.source, source=source, items=items, warnings=warnings
    )


def coverage_files(report: Path, notice_path: Path) -> Coverage:
    """Read both files (any format :func:`agent.report_reader.read_text` reads) and compare them."""
    from agent.errors import InputError
    from agent.report_reader import read_text
    from agent.requirements import read_notice

    notice = read_notice(Path(notice_path))
    text = read_text(Path(report))
    if not text.strip():
        raise InputError("文件是空的", path=str(report))
    return coverage(text, notice, source=str(report))


# --------------------------------------------------------------------------- renderings

_STATUS_STYLE = {"addressed": "green", "partly": "yellow", "not_addressed": "red"}


def _snippet(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _obligation_line(c: ObligationCheck, width: int = 40) -> str:
    return f"{c.mark} {_snippet(c.obligation.text, width)}：{c.note}"


def coverage_table(cov: Coverage) -> Table:
    """A rich table: 编号, 事项, 落实情况, 得分, 佐证（行号）, 可核查要求 ✓/✗."""
    counts = cov.counts()
    caption = "　".join(f"{STATUS_CN[s]} {n} 项" for s, n in counts.items())
    table = Table(title=f"对照《{cov.notice_title or '工作要点'}》", caption=caption, show_lines=True)
    for name, kw in (
        ("编号", {"no_wrap": True}),
        ("事项", {"max_width": 24}),
        ("落实情况", {"no_wrap": True}),
        ("得分", {"justify": "right"}),
        ("佐证（行号）", {"max_width": 60}),
        ("可核查要求", {"max_width": 50}),
    ):
        table.add_column(name, **kw)  # type: ignore[arg-type]
    for item in cov.items:
        ev = "\n".join(f"{e.location}：{_snippet(e.text)}" for e in item.evidence) or "—"
        obs = "\n".join(_obligation_line(c, 16) for c in item.obligations) or "—"
        status = f"[{_STATUS_STYLE[item.status]}]{STATUS_CN[item.status]}[/]"
        table.add_row(item.requirement.id, item.requirement.title, status, f"{item.score:.2f}", ev, obs)
    return table


def print_coverage(console: Console, cov: Coverage) -> None:
    """The table, then a one-line summary and the unmet quantities/deadlines spelled out."""
    for w in cov.warnings:
        console.print(f"注意：{w}", markup=False)
    console.print(coverage_table(cov))
    for item in cov.items:
        for c in item.obligations:
            if c.satisfied is False:
                console.print(
                    f"✗ {item.requirement.id}（要点第{c.obligation.line}行）“{c.obligation.text}”：{c.note}"
                    + (f"，见报告{c.evidence.location}" if c.evidence else ""),
                    markup=False,
                )


def coverage_dict(cov: Coverage) -> dict[str, object]:
    items = []
    for i in cov.items:
        items.append(
            {
                "id": i.requirement.id,
                "title": i.requirement.title,
                "line": i.requirement.line,
                "status": i.status,
                "status_cn": STATUS_CN[i.status],
                "score": i.score,
                "title_coverage": i.title_coverage,
                "key_coverage": i.key_coverage,
                "matched_terms": i.matched_terms,
                "missing_terms": i.missing_terms,
                "evidence": [e.model_dump() for e in i.evidence],
                "obligations": [
                    {
                        "text": c.obligation.text,
                        "kind": c.obligation.kind,
                        "requirement": c.obligation.describe(),
                        "evidenced": c.evidenced,
                        "satisfied": c.satisfied,
                        "found": c.found,
                        "note": c.note,
                        "evidence": c.evidence.model_dump() if c.evidence else None,
                    }
                    for c in i.obligations
                ],
            }
        )
    return {
        "notice": {"title": cov.notice_title, "source": cov.notice_source},
        "report": {"source": cov.source},
        "summary": cov.counts(),
        "warnings": cov.warnings,
        "items": items,
    }


def coverage_json(cov: Coverage) -> str:
    return json.dumps(coverage_dict(cov), ensure_ascii=False, indent=2)


def write_coverage_xlsx(cov: Coverage, path: Path) -> None:
    """Sheet 覆盖情况 (one row per requirement) and sheet 可核查要求 (one row per obligation)."""
    from openpyxl import Workbook

    from agent.fsutil import write_with

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "覆盖情况"
    ws.append(["编号", "事项", "落实情况", "得分", "佐证（行号）", "未覆盖的关键词", "可核查要求"])
    for i in cov.items:
        ws.append(
            [
                i.requirement.id,
                i.requirement.title,
                STATUS_CN[i.status],
                i.score,
                "\n".join(f"{e.location}：{e.text}" for e in i.evidence),
                "、".join(i.missing_terms),
                "\n".join(_obligation_line(c) for c in i.obligations),
            ]
        )
    style_sheet(ws, [10, 28, 10, 8, 70, 24, 50])
    wo = wb.create_sheet("可核查要求")
    wo.append(
        ["编号", "要求原文", "类型", "要求", "是否体现", "是否达到", "报告所述", "说明", "佐证（行号）"]
    )
    for i in cov.items:
        for c in i.obligations:
            wo.append(
                [
                    i.requirement.id,
                    c.obligation.text,
                    {"deadline": "期限", "quantity": "数量", "action": "行动"}[c.obligation.kind],
                    c.obligation.describe(),
                    "是" if c.evidenced else "否",
                    {True: "是", False: "否", None: "无法判断"}[c.satisfied],
                    c.found or "",
                    c.note,
                    f"{c.evidence.location}：{c.evidence.text}" if c.evidence else "",
                ]
            )
    style_sheet(wo, [10, 40, 8, 16, 10, 10, 12, 36, 60])
    write_with(Path(path), lambda tmp: wb.save(str(tmp)))
