"""Whether a report meets a requirement’s obligations: numbers with their units, negations and not-yet wording, deadlines."""

from __future__ import annotations

import re

from agent.workpoints.coverage_model import (
    MIN_HITS,
    OBLIGATION_MIN,
    Evidence,
    MatchScore,
    ObligationCheck,
    Profile,
    make_evidence,
)
from agent.workpoints.report_sentences import RSentence
from agent.workpoints.requirements import Obligation, cn_to_int
from agent.workpoints.terms import (
    words,
)

# --------------------------------------------------------------------------- obligations

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


def _report_numbers(rs: RSentence, unit: str | None) -> list[tuple[int, float, str]]:
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
    ob: Obligation, prof: Profile, sentences: list[RSentence]
) -> list[tuple[float, RSentence, MatchScore]]:
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


def check_obligations(prof: Profile, sentences: list[RSentence]) -> list[ObligationCheck]:
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


def _judge(ob: Obligation, rs: RSentence, m: MatchScore) -> ObligationCheck:
    ev = make_evidence(rs, m)
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


def _judge_quantity(ob: Obligation, rs: RSentence, m: MatchScore, ev: Evidence) -> ObligationCheck:
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
