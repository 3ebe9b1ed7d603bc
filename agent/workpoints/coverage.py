"""How far a report covers the requirements of a 政务公开工作要点 notice.

The report may be a 工作要点落实情况 report or an annual report (whose section 一 or 六 speaks
of the work points): only its narrative counts. The text is cut into sentences with
:func:`agent.report.narrative.split_sentences` (table lines with ``|`` or a tab left out); a short line
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
* **Obligations** (see :mod:`agent.workpoints.requirements`): the sentence that matches ≥ ``OBLIGATION_MIN`` =
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

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.workpoints.coverage_model import (
    BODY_MIN,
    BODY_TERMS,
    CONTEXT_LINES,
    KEY_BOOST,
    KEY_MIN,
    LOW_VALUE,
    MAX_EVIDENCE,
    MIN_HITS,
    SENTENCE_MIN,
    TITLE_BOOST,
    TITLE_MIN,
    UNANCHORED_MIN,
    WINDOW,
    Coverage,
    MatchScore,
    Profile,
    RequirementCoverage,
    Status,
    make_evidence,
)
from agent.workpoints.obligation_checks import check_obligations
from agent.workpoints.report_sentences import RSentence, report_sentences_for
from agent.workpoints.requirements import Notice
from agent.workpoints.terms import (
    BOILERPLATE,
    KEY_TERMS,
    is_term,
    jieba_tokenizer,
    pieces_of,
    words,
)


def _useful_pieces(w: str, tk: Any) -> list[str]:
    """Pieces that may stand for ``w`` (partial credit): not generic, not boilerplate."""
    return [p for p in pieces_of(w, tk) if is_term(p) and p not in BOILERPLATE]


def _profiles(notice: Notice) -> list[Profile]:
    tk: Any = jieba_tokenizer()
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
        profiles.append(Profile(req, weights, title, title + body, doc, pieces))
    return profiles


# --------------------------------------------------------------------------- coverage


def _context_words(prof: Profile, evidence_lines: set[int], sentences: list[RSentence]) -> set[str]:
    """Title words named by the report's sub-heading just above (or on the line of) the evidence."""
    near = {n - d for n in evidence_lines for d in range(CONTEXT_LINES + 1)}
    found: set[str] = set()
    for rs in sentences:
        if rs.sentence.line in near:
            found.update(w for w, c in prof.match(prof.title_words, rs).credit.items() if c >= 1.0)
    return found


def _is_evidence(prof: Profile, m: MatchScore) -> bool:
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


def _place(prof: Profile, group: list[tuple[RSentence, MatchScore]], sentences: list[RSentence]) -> _Place:
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
    prof: Profile, scored: list[tuple[RSentence, MatchScore]], sentences: list[RSentence]
) -> _Place:
    places = [
        _place(prof, [x for x in scored if abs(x[0].sentence.line - rs.sentence.line) <= WINDOW], sentences)
        for rs, _ in scored
    ]
    return max(places, key=lambda p: (p.key, p.title), default=_Place(0.0, 0.0, 0.0, {}))


def _cover_one(prof: Profile, sentences: list[RSentence]) -> RequirementCoverage:
    scored: list[tuple[RSentence, MatchScore]] = []
    total = prof.weight(prof.key_words)
    for rs in sentences:
        if not rs.echo:
            m = prof.match(prof.all_words, rs, total=total)
            if _is_evidence(prof, m):
                scored.append((rs, m))
    scored.sort(key=lambda x: (-x[1].share, x[0].sentence.line))
    place = _best_place(prof, scored, sentences)
    checks = check_obligations(prof, sentences)
    met = [c for c in checks if c.evidenced and c.satisfied is not False]
    score = place.key if not checks else 0.6 * place.key + 0.4 * len(met) / len(checks)
    evidence = [make_evidence(rs, m) for rs, m in scored[:MAX_EVIDENCE]]
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
    sentences = report_sentences_for(report_text, notice)
    items = [_cover_one(p, sentences) for p in _profiles(notice)]
    warnings = []
    if not sentences:
        warnings.append("报告中没有可供比对的文字（表格以外的叙述部分为空）")
    return Coverage(
        notice_title=notice.title, notice_source=notice.source, source=source, items=items, warnings=warnings
    )


def coverage_files(report: Path, notice_path: Path) -> Coverage:
    """Read both files (any format :func:`agent.report.reader.read_text` reads) and compare them."""
    from agent.errors import InputError
    from agent.report.reader import read_text
    from agent.workpoints.requirements import read_notice

    notice = read_notice(Path(notice_path))
    text = read_text(Path(report))
    if not text.strip():
        raise InputError("文件是空的", path=str(report))
    return coverage(text, notice, source=str(report))
