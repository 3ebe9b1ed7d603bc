"""Exemplar sections for the drafter: same section type, other agencies, as plain dicts.

Retrieval is a help, not a requirement: when the index cannot be built or queried the draft
is still written (from the phrase bank) and the reason is reported. Chunks with instruction-like
text (flagged at ingest, :mod:`agent.corpus.screening`) are never exemplars.
"""

from __future__ import annotations

from typing import Any


def find_exemplars(
    query: str, *, section: str, exclude_agency: str, k: int = 3, settings: Any = None
) -> tuple[list[dict[str, Any]], str | None]:
    try:
        from agent.corpus.retrieval import retrieve
        from agent.corpus.screening import is_flagged

        hits = retrieve(
            query,
            kinds=["annual_report"],
            section=section,
            exclude_agency=exclude_agency,
            k=k + 3,
            settings=settings,
        )
    except Exception as exc:  # noqa: BLE001 - any retrieval failure degrades to "no exemplars"
        return [], f"未能检索范文（{type(exc).__name__}: {exc}），已仅用内置措辞起草"
    found = [_as_dict(h) for h in hits]
    return [h for h in found if not is_flagged(str(h.get("text") or ""))][:k], None


def _as_dict(hit: Any) -> dict[str, Any]:
    fields = ("document", "title", "section_path", "kind", "agency", "year", "score", "text")
    if isinstance(hit, dict):
        return {f: hit.get(f) for f in fields}
    return {f: getattr(hit, f, None) for f in fields}
