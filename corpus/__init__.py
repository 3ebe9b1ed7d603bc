"""Bundled corpus (data only): seeds, regulations, real reports and the format spec.

Installed as the package ``agent.corpus``; ``corpus/manifest.yaml`` describes every document.
Read it through :mod:`agent.corpus_meta`, never by path.
"""
