"""Review: one report's check result as data (cells, findings, reviewer marks) and batch review.

What the 政务公开办 needs when it reviews the units' reports: the check result of one file as a
JSON-ready dict with every table cell (label, column, value, state, location) and the findings
placed on their cells (``results``, ``cells``, ``grid``); many reports checked in parallel, each
unit's consecutive years paired for the cross-year rules and a narrative copied from last year
flagged (``batch``, ``pairing``, ``similarity``); the summary as xlsx, html or JSON
(``summary``); reviewer marks kept in a small SQLite file (``marks``); the draft as paragraphs
with their sources and findings, edited and checked again (``draft_view``).

The web pages (``agent.web``) and the ``review`` command (``agent.cli``) are thin layers over
this package. May import ``agent.draft``, ``agent.ask`` and every stage below them, and the
plumbing; only ``agent.web`` and ``agent.cli`` import it.
"""
