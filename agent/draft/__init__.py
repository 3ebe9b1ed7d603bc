"""Drafting: notes + figures (+ last year's report) → a checked draft; implementation reports too.

Owns the clerk's notes, the figure sentences written by code (``facts``), the offline and LLM
composers, the guardrails, assembly into Markdown and Word, exemplar retrieval, the annual-report
pipeline (``pipeline``) and the implementation-report drafter (``implementation``).
May import ``agent.workpoints``, ``agent.figures``, ``agent.corpus``, ``agent.report`` and the shared
plumbing.
"""
