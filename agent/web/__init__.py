"""Web pages for the office: 起草, 检查, 批量, 问答 (``report-agent serve``).

A thin layer: request handling, uploads (size-limited, stored under names the code makes in a
per-session temporary folder), sessions and background jobs, and Jinja2 templates; every result
comes from ``agent.review``, ``agent.draft`` and ``agent.ask``. May import every sub-package
except ``agent.cli``; only ``agent.cli`` imports it.
"""
