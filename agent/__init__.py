"""report-agent: drafts and checks 政府信息公开工作年度报告 and 政务公开 reports.

Layout, imports pointing one way (enforced by tests/test_layering.py):

- ``agent.cli``                                   the command line (thin)
- ``agent.web``                                   the web pages (thin)
- ``agent.evals``, ``agent.review``               regression and quality evaluations; batch review
- ``agent.draft``                                 drafting (annual and implementation reports)
- ``agent.ask``, ``agent.workpoints``             answering questions; work-point notices
- ``agent.figures``, ``agent.corpus``             the clerk's figures and tables; corpus and retrieval
- ``agent.report``                                reading, parsing and checking reports
- plumbing at the top: ``settings``, ``errors``, ``llm``, ``prompt_templates``, ``fsutil``,
  ``resources``, ``textfile``, ``tokens``, ``yamlfile``
"""

__version__ = "0.1.0"
