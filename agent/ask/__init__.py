"""Ask: compliance questions answered from the corpus with citation keys the code issues and checks.

Owns the answer pipeline (``answer``), citation keys and their validation (``citations``) and the
evidence that a passage answers a question (``evidence``).
May import ``agent.corpus``, ``agent.report`` and the shared plumbing.
"""
