"""report-agent: drafts and checks 政府信息公开工作年度报告 and 政务公开 reports."""

__version__ = "0.1.0"
