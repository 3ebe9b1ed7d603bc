"""Signs that a question reaches past what the corpus holds, for the answerability decision.

* :func:`asks_specifics` — the question wants details (具体、标准、模板、条件、流程、名单、举例 …)
  in a sentence that asks: a passage on the topic often lacks them.
* :func:`defers` — the passage leaves the matter to another text (具体办法由国务院……制定、
  按照国家有关规定、另行规定、从其规定): the details asked for are in a text the corpus does not hold.
* :func:`cites_text` — the clerk quotes what a text already says (“条例说……”、“要点里提到……”)
  and asks past it: what the text says is known, what is asked is often not in it.
* :func:`local_rule` — the question asks about a province's, city's or county's own 办法、标准、
  考核 or 模板; the corpus holds national laws and one agency's work points, no local rules.

* :func:`absent_year` — the question gives a dated document a year the corpus does not have
  (上海市民宗局2023年的要点, when only the 2022 one is there): `ask` refuses and says so.
* :func:`unknown_titles` — a document the question names in 《》 that the corpus does not hold
  (《某省政府信息公开暂行办法》, 《政府信息公开申请表》): `ask` refuses and names it.

The first four are features of the decision (:mod:`agent.ask.rerank`), fitted on labelled
questions, and do not refuse on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from agent.ask.citations import Passage

_SPECIFICS = re.compile(
    r"具体|到底|标准|模板|样式|范本|样本|格式|条件|流程|程序|名单|哪几|哪些情况|举例|例子|怎么编|文号|哪个平台|哪家|位置|什么证"
)
_DEFERS = re.compile(
    r"具体办法由|另行规定|另行制定|按照国家有关规定|依照国家有关规定|按照有关规定|依照有关规定|从其规定"
    r"|由国务院[^。；]{0,20}(?:制定|规定)|由国家[^。；]{0,12}(?:制定|规定)|的规定执行"
    r"|按照[^。；]{0,12}规定办理|依照[^。；]{0,16}规定办理"
)
_CITES = re.compile(r"(?:条例|要点|法|规定|指南|文件|上面)里?(?:说|提到|写着|讲)")
# a place (省、市、县、区) — not the same character in another word: 省事、节省, 市场、市民, 区分、社区、小区
_PLACE = r"(?<![节反社小地园景片辖城山街])(?:省(?![事心得时钱力略去])|市(?![场民])|县|区(?![分别域间]))"
_LOCAL = re.compile(
    rf"(?:我们|本|咱们?)?{_PLACE}(?:里|的|里的|级|统一的|政府的?)?[^，。？]{{0,8}}?"
    r"(?:实施办法|实施细则|办法|细则|标准|考核|模板|制度)"
)
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")


def asking_sentences(question: str) -> list[str]:
    """Sentences that ask (end with a question mark; or the last one, unterminated)."""
    parts = [s for s in _SENTENCE.findall(question) if s.strip()]
    out = []
    for i, s in enumerate(parts):
        end = s.rstrip()[-1:]
        if end in "？?" or (i == len(parts) - 1 and end not in "。！!"):
            out.append(s)
    return out


def asks_specifics(question: str) -> bool:
    """Details asked for in a sentence that asks; in the situation told before it the same words
    name the information concerned (“来要同一份征收补偿标准。有没有更省事的办法？”)."""
    return any(_SPECIFICS.search(s) for s in asking_sentences(question))


def defers(text: str) -> bool:
    return bool(_DEFERS.search(text))


def local_rule(question: str) -> bool:
    return bool(_LOCAL.search(question))


def cites_text(question: str) -> bool:
    """“X说……” as a premise: a clause break follows before the question ends (“条例说给合理的
    补正期限。到底给几天？”), not “要点说请哪些人来评？”, which only asks what X says."""
    for m in _CITES.finditer(question):
        rest = re.split(r"[？?]", question[m.end() :], maxsplit=1)[0]
        if re.search(r"[，,。；;]", rest):
            return True
    return False


def asks_count(question: str) -> int:
    """How many questions the text asks (question marks; at least one)."""
    return max(1, len(re.findall(r"[？?]", question)))


_TITLE = re.compile(r"《([^》]{2,40})》")
_TITLE_NOISE = re.compile(r"^中华人民共和国|[（(][^）)]*[）)]|\s")


def _bare(title: str) -> str:
    return _TITLE_NOISE.sub("", title)


def unknown_titles(question: str, titles: Iterable[str]) -> list[str]:
    """The documents the question names in 《》 that are none of ``titles`` (the corpus's own:
    a name counts as known when it is part of a title or a title is part of it, without
    中华人民共和国 and bracketed years)."""
    known = [_bare(t) for t in titles if t]
    out = []
    for name in _TITLE.findall(question):
        bare = _bare(name)
        if bare and not any(bare in t or (len(t) >= 4 and t in bare) for t in known):
            out.append(name)
    return out


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
_DATED_WORDS = re.compile(r"要点|年报|年度报告|报告|落实情况")
DATED_KINDS = ("work_points", "annual_report", "implementation_report")


def absent_year(question: str, passages: Sequence[Passage]) -> str:
    """A year the question gives a dated document (“上海市民宗局2023年的要点”) when the dated
    documents among ``passages`` are all of other years: “2023年” (else "")."""
    if not _DATED_WORDS.search(question):
        return ""
    dated = [p for p in passages if p.kind in DATED_KINDS]
    if not dated:
        return ""
    for year in dict.fromkeys(_YEAR.findall(question)):
        if not any(p.year == int(year) or year in (p.title or "") for p in dated):
            return f"{year}年的{_kind_word(dated[0].kind)}"
    return ""


def _kind_word(kind: str) -> str:
    return {"work_points": "工作要点", "annual_report": "年度报告", "implementation_report": "落实情况报告"}[
        kind
    ]
