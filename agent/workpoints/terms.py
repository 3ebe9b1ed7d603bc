"""Words of a notice and a report for coverage matching: jieba pieces, key and boilerplate terms, bigrams."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

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
def jieba_tokenizer() -> Any:
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
class Tok:
    term: str
    start: int
    word: str  # the jieba word the term comes from (门户 and 门户网站 both from 门户网站)
    piece: bool = False  # a prefix or suffix of a longer word


def pieces_of(w: str, tk: Any) -> list[str]:
    return [p for n in (2, 3) if len(w) > n for p in (w[:n], w[-n:]) if tk.FREQ.get(p, 0) >= _PIECE_FREQ]


def tokens(text: str) -> list[Tok]:
    """Content terms of ``text`` (normalised), with their offsets in the normalised text.

    jieba's precise mode without HMM; each word also yields its 2- and 3-character prefix and
    suffix when they are dictionary words (工作汇报 → 汇报, 意识形态 → 意识, 形态), marked as pieces:
    inner pieces such as 要领 in 主要领导 are never taken.
    """
    tk: Any = jieba_tokenizer()
    found: list[Tok] = []
    for word, start, _ in tk.tokenize(normalise(text), mode="default", HMM=False):
        w = word.strip()
        for piece in dict.fromkeys([w, *pieces_of(w, tk)]):
            if is_term(piece):
                found.append(Tok(piece, start, w, piece != w))
                if piece in _EXPAND:
                    found.append(Tok(_EXPAND[piece], start, w, piece != w))
    return found


def is_term(w: str) -> bool:
    if not w or w in STOPWORDS or _DIGITS.match(w):
        return False
    return len(w) >= 2 and bool(re.search(r"[\u4e00-\u9fffA-Za-z]", w))


def words(text: str) -> list[str]:
    """The content words of ``text`` in order of first appearance (pieces left out)."""
    return list(dict.fromkeys(t.term for t in tokens(text) if not t.piece))


def char_bigrams(text: str) -> set[str]:
    s = re.sub(r"[\s，。；：、“”‘’《》（）()!！?？,.;:]", "", text)
    return {s[i : i + 2] for i in range(len(s) - 1)}
