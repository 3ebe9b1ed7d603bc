"""Evals: regression cases for drafts and answers, retrieval and ask evaluations, their reports.

May import every capability (``agent.draft``, ``agent.ask``, ``agent.workpoints``), the stages below
them and the shared plumbing; nothing but ``agent.cli`` imports it.
"""
