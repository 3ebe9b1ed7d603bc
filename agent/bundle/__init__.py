"""Where `pip install .` puts the bundled data: ``agent/bundle/prompts`` and ``agent/bundle/corpus``.

In a checkout this package is empty and :mod:`agent.resources` finds the top-level folders instead.
"""
