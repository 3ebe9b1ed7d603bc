"""Work points: a 政务公开工作要点 notice as requirements, and how far a report covers them.

Owns parsing a notice into items and obligations (``requirements``) and the coverage matrix
(``coverage``). May import ``agent.report`` and the shared plumbing.
"""
