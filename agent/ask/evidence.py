"""The question's key terms, their weights, and how much of them a passage or sentence covers.

1. **Key terms.** Phrases of the thesaurus (:data:`SYNONYMS`: 挂到网上、看不明白、多长时间 …) are
   taken from the question first, the rest is cut with jieba (precise mode). Question words
   (什么、怎么办、是否 …), colloquial filler (别人、一直、的话、拿不准 …), quantity words
   (一个月、好几个、一部分) and single characters are dropped; numbers (years, day counts) are
   kept. Each term stands for its synonym group (答复/回复/回话, 期限/多久/工作日 …).
2. **Weights.** ``w = corpus IDF × specificity × part of speech``: corpus IDF over the bundled
   regulations, work points and format documents; specificity from jieba's general-language
   IDF (an everyday word weighs little even when legal text never uses it); nouns count fully,
   verbs and time words half, adverbs, adjectives and pronouns a quarter.
3. **Coverage** of a passage or sentence: ``Σ w(terms it contains) / Σ w(all terms)`` (a number
   also matches the document's year), and the share matched by the question's own words.

Coverage is one feature among several of the re-ranker and of the answerability decision
(:mod:`agent.ask.features`, :mod:`agent.ask.rerank`): on its own it does not separate answerable
from unanswerable questions, since a clerk's everyday words are not the law's.
"""

from __future__ import annotations

import functools
import marshal
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.ask.citations import Passage

GENERAL_IDF_LOW = 4.0  # jieba IDF at or below which a word counts as everyday speech
GENERAL_IDF_HIGH = 10.0  # … at or above which it counts as fully specific
POS_FACTORS = {"n": 1.0, "nr": 0.25, "l": 1.0, "j": 1.0, "eng": 1.0, "vn": 0.6, "v": 0.5, "t": 0.5}
POS_OTHER = 0.25  # adverbs, adjectives, pronouns, prepositions, numerals …

_QUESTION_WORD_LINES = """
    什么 什么样 怎么 怎么办 怎么样 怎样 如何 哪些 哪个 哪里 哪儿 哪 多少 几 几个 几次 吗 呢 吧 啊 呀
    是否 能否 能不能 可不可以 可以 需要 需不需要 应该 应当 必须 得 要 要不要 请问 我们 我 你 你们 他 她
    单位 今年 今年度 一下 时候 规定 要求 有没有 没有 这个 那个 这些 那些 一般 具体 还是 还 就 会 该
    么 啥 咋 里 里面 到底 是不是 对 有 是 一 个 这 那 给 让 叫 被 把 能 都 也 又 再 很 最 才 以后 之后
    以前 来 去 说 做 搞 弄 情况 内容 东西 问题 方面 办 处理 按照 根据 条例 法规 文件 分别 一共 多 时
    别人 有人 他人 人家 大家 自己 不了 的话 一直 根本 直接 已经 马上 还要 先 过来 出去 起来 问问 看看
    不要 不能 不会 不是 不够 不用 拿不准 改成 算 怎么算 这类 这种 那种 一些 有些 所有 好 行 用 写 提
"""
QUESTION_WORDS = frozenset(_QUESTION_WORD_LINES.split())  # question words and colloquial filler
_QUANTITY = re.compile(
    r"^[一二两三四五六七八九十几好多每同单]+[百千万]?[个条项次件月天位家块部分些种类回遍]+$"
)

# Each group: words a clerk may use for the same thing. A term matches when any member occurs.
# Members are also looked for as phrases in the question before it is cut into words.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("答复", "回复", "回话", "回应", "答覆", "回答"),
    ("期限", "时限", "多久", "多长时间", "几天", "多少天", "工作日", "日内", "之日起"),
    ("年报", "年度报告"),
    ("公布", "公开", "发布", "挂到网上", "挂网", "上网", "公示"),
    ("截止", "最晚", "月底", "年底", "日前"),
    ("不明确", "不清楚", "看不明白", "看不懂", "不明白", "模糊"),
    ("补正", "补充", "补材料", "更改"),
    ("收费", "交钱", "费用", "收取", "信息处理费", "付费"),
    ("延长", "延期", "推迟", "拖"),
    ("政务新媒体", "新媒体", "政务微博", "公众号"),
    ("网站", "门户网站"),
    ("网上", "互联网", "网络", "在线", "线上"),
    ("ipv6", "互联网协议第6版"),
    ("投诉", "举报", "申诉"),
    ("不公开", "不予公开", "不得公开", "可以不予公开"),
    ("第三方", "第三人"),
    ("企业", "商业", "法人"),
    ("培训", "轮训", "学习"),
    ("领导", "负责人"),
    ("评议", "评估", "考核", "监督"),
    ("过程稿", "过程性信息", "讨论记录", "请示报告"),
    ("防疫", "疫情防控", "疫情"),
    ("汇总", "加工", "分析", "统计"),
    ("重复", "反复", "多次"),
    ("有错", "不准确", "错误", "更正"),
    ("改过来", "更正", "改正"),
    ("本人", "自身", "自己"),
    ("视力", "视听障碍", "阅读困难"),
    ("平信", "平常信函", "信函"),
    ("寄", "邮寄", "寄送"),
    ("收到", "签收", "收到申请"),
    ("哪天", "之日", "日期"),
    ("联合", "共同", "两个以上"),
    ("确定", "确认", "认定"),
    ("老百姓", "公民", "群众", "申请人"),
    ("群众", "公民", "公众"),
    ("不满意", "侵犯", "不服"),
    ("县政府", "县级", "人民政府"),
    ("市政府", "设区的市", "人民政府"),
    ("印发", "制发", "形成", "制作"),
    ("过段时间", "定期", "动态调整"),
    ("申请表", "申请应当包括", "申请书"),
    ("写清楚", "写明", "包括", "注明"),
    ("名义", "形式"),
    ("去年", "上一年", "上年", "previous year"),
    ("表二", "table 2"),
    ("表三", "table 3"),
    ("表四", "table 4"),
    ("勾稽", "cross-check", "勾稽关系"),
    ("核对", "cross-check", "勾稽", "等于", "一致", "对上"),
    ("对上", "等于", "一致", "cross-check"),
    ("行", "rows"),
    ("列", "columns"),
    ("表格", "table", "格式"),
    ("格式", "format"),
    ("结转", "carry"),
    ("标题", "heading", "headings"),
    ("部分", "section", "sections"),
    ("哪一版", "format"),
    ("表", "table"),
    ("数", "cells", "总计"),
)
_NUMBER = re.compile(r"^\d+$")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Term:
    text: str
    forms: tuple[str, ...]  # the term and its synonyms, normalised
    weight: float

    @property
    def is_number(self) -> bool:
        return bool(_NUMBER.match(self.text))


@dataclass
class Coverage:
    value: float
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    exact: float = 0.0  # the share matched by the terms themselves, not by a synonym


def norm(text: str) -> str:
    """NFKC (full-width digits and letters → half-width), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


@functools.cache
def _synonym_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for group in SYNONYMS:
        forms = {norm(w) for w in group}
        for w in forms:
            index.setdefault(w, set()).update(forms)
    return {w: tuple(sorted(f, key=lambda x: (-len(x), x))) for w, f in index.items()}


@functools.cache
def _phrase_pattern() -> re.Pattern[str]:
    """The thesaurus entries of two characters or more, longest first."""
    phrases = sorted((w for w in _synonym_index() if len(w) >= 2), key=lambda x: (-len(x), x))
    return re.compile("|".join(re.escape(p) for p in phrases))


def _cut(text: str) -> list[str]:
    """jieba's precise mode without HMM (rjieba, the same dictionary in Rust, when installed:
    it spares loading jieba's dictionary in every new process)."""
    try:
        import rjieba

        return [str(w) for w in rjieba.cut(text, False)]
    except ImportError:
        from agent.corpus.lexical import _jieba

        return [str(w) for w in _jieba().lcut(text, HMM=False)]


def _words(question: str) -> list[str]:
    """Thesaurus phrases where they occur, jieba words elsewhere, in question order."""
    q = norm(question)
    words: list[str] = []
    pos = 0
    for m in _phrase_pattern().finditer(q):
        words += _cut(q[pos : m.start()])
        words.append(m.group(0))
        pos = m.end()
    return words + _cut(q[pos:])


def _keep(word: str) -> bool:
    if not word or not _WORD.search(word) or word in QUESTION_WORDS or _QUANTITY.match(word):
        return False
    return len(word) > 1 or word.isdigit() or word in _synonym_index()


def term_texts(question: str) -> list[str]:
    """The key terms of a question, in order, without repeats."""
    out: list[str] = []
    for w in (w.strip() for w in _words(question)):
        if _keep(w) and w not in out:
            out.append(w)
    return out


def key_terms(question: str, weights: TermWeights | None = None) -> list[Term]:
    weights = weights or reference_weights()
    syn = _synonym_index()
    out = []
    for t in term_texts(question):
        forms = syn.get(t, (t,))
        factor = 1.0 if t in syn else pos_factor(t)
        out.append(Term(t, forms, weights.weight(t, forms) * factor))
    return out


def pos_factor(word: str) -> float:
    """Nouns name what a question is about; verbs, adverbs, adjectives, pronouns and time words
    mostly carry its phrasing (jieba dictionary tags; words it does not list count as nouns)."""
    tag = str(_lexicon()["tags"].get(word, "n"))
    return POS_FACTORS.get(tag, POS_FACTORS.get(tag[:1], POS_OTHER))


def expanded_query(question: str) -> str:
    """The question followed by the synonyms of its terms (for a second, wider retrieval)."""
    syn = _synonym_index()
    q = norm(question)
    extra: list[str] = []
    for t in term_texts(question):
        for f in syn.get(t, ()):
            if f not in q and f not in extra:
                extra.append(f)
    return f"{question} {' '.join(extra)}".strip()


# --------------------------------------------------------------------------- weights


class TermWeights:
    """``weight(term) = corpus IDF × specificity`` (see the module docstring)."""

    def __init__(self, texts: Iterable[str]):
        self.texts = [norm(t) for t in texts]
        self.n = len(self.texts)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one long-lived instance per corpus)
    def weight(self, term: str, forms: tuple[str, ...]) -> float:
        df = sum(1 for t in self.texts if any(f in t for f in forms))
        return math.log(1.0 + self.n / (1.0 + df)) * specificity(term)


@functools.cache
def reference_weights() -> TermWeights:
    """Weights over the bundled regulations, work points and format spec (cut as indexed)."""
    from agent.corpus.chunking import chunk_document
    from agent.corpus.meta import load_manifest, read_document

    texts: list[str] = []
    for src in load_manifest():
        if src.meta.kind in ("regulation", "work_points", "spec") and src.meta.status == "current":
            chunks = chunk_document(src.meta, read_document(src.path))
            texts += [f"{c.title} {c.section_path}\n{c.text}" for c in chunks]
    return TermWeights(texts)


@functools.cache
def _idf_table() -> tuple[dict[str, float], float]:
    lex = _lexicon()
    return lex["idf"], float(lex["median"])


@functools.cache
def _lexicon() -> dict[str, Any]:
    """jieba's general-language IDF table and dictionary part-of-speech tags, cached in the temp
    folder in marshal form (parsing jieba's text files took ~2 s in every new process)."""
    import jieba

    path = Path(tempfile.gettempdir()) / f"report-agent-jieba-lexicon-{jieba.__version__}.marshal"
    try:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict) and {"idf", "median", "tags"} <= set(data):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    from jieba.analyse.tfidf import TFIDF
    from jieba.posseg import dt

    idf, median = TFIDF().idf_loader.get_idf()
    data = {
        "idf": dict(idf),
        "median": float(median),
        "tags": {str(k): str(v) for k, v in dt.word_tag_tab.items()},
    }
    try:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only temp folder only means parsing again next time
    return data


def specificity(word: str) -> float:
    """0.1 (everyday word) … 1 (specific word), from jieba's general-language IDF; words it does
    not list (terms of art, phrases) count as specific."""
    if word.isdigit():
        return 1.0
    idf, median = _idf_table()
    x = (float(idf.get(word, median)) - GENERAL_IDF_LOW) / (GENERAL_IDF_HIGH - GENERAL_IDF_LOW)
    return min(1.0, max(0.1, x))


# --------------------------------------------------------------------------- coverage


def coverage(terms: Sequence[Term], text: str, *, year: int | None = None) -> Coverage:
    """Share of the terms' weight found in ``text`` (a number also matches the document year)."""
    t = norm(text)
    total = sum(x.weight for x in terms)
    cov = Coverage(0.0)
    got = exact = 0.0
    for x in terms:
        own = x.text in t or (x.is_number and year is not None and x.text == str(year))
        if own or any(f in t for f in x.forms):
            got += x.weight
            exact += x.weight if own else 0.0
            cov.covered.append(x.text)
        else:
            cov.missing.append(x.text)
    cov.value = got / total if total > 0 else 0.0
    cov.exact = exact / total if total > 0 else 0.0
    return cov


def numbers_present(terms: Sequence[Term], cov: Coverage) -> bool:
    """Every number of the question (a year, a count) is in the passage."""
    return all(x.text in cov.covered for x in terms if x.is_number)


# --------------------------------------------------------------------------- sentences

_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences and list items of a passage, whitespace trimmed."""
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 4:
            spans.append((s, e))
    return spans


# --------------------------------------------------------------------------- ranking


def passage_context(p: Passage) -> str:
    return f"{p.title} {p.section_path}"


def heading(p: Passage) -> str:
    """The passage's own heading (an item's or a part's title; empty for an article)."""
    return "" if p.kind == "regulation" else p.section_path.split(" > ")[-1]
