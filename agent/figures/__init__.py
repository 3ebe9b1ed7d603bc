"""Figures: the clerk's statistics (YAML/JSON/xlsx), blank templates, and the tables rendered.

Owns reading figures with every problem located (``reading``, ``source``, ``tables_reading``,
``xlsx_reading``), the xlsx/YAML templates (``templates``, ``sheet_layout``), the official tables as
Markdown/HTML/Word (``render``) and the GB/T 9704 Word house style (``docx_style``).
May import ``agent.report`` and the shared plumbing.
"""
