"""Reports: reading any report file, its sections and Tables 2–4, and every check on it.

Owns the official labels (``labels``, the one home of every heading, row, column and rule id), the
report model, readers for txt/md/docx/html/pdf, the section and table parsers, the table identities,
the rules of the spec, cross-year rules, place and agency names, and the findings' output.
May import only the shared plumbing at the top of ``agent`` (errors, settings, fsutil, …).
"""
