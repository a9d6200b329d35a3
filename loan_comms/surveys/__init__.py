"""Satisfaction surveys and feedback analytics (issue 14).

This part: aggregation of answers and replies into DuckDB (`aggregate`), complaint themes from a
transparent zh-CN / en dictionary (`load_themes`, config/feedback_themes.toml) and the
self-contained HTML feedback report (`write_report`).
"""

from loan_comms.surveys.aggregate import TABLES, FeedbackSummary, Headline, aggregate, summary, tag_texts
from loan_comms.surveys.report import CHARTS, render_report, write_report
from loan_comms.surveys.themes import THEMES_PATH, Theme, Themes, load_themes

__all__ = ["CHARTS", "TABLES", "THEMES_PATH", "FeedbackSummary", "Headline", "Theme", "Themes", "aggregate",
           "load_themes", "render_report", "summary", "tag_texts", "write_report"]
