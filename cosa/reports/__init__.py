"""PDF reports: the layout engine (`cosa.reports.pdf`) and safe file output (`.output`).

Nothing here is imported at package import time: reportlab and pypdf are heavy, so report
commands import `cosa.reports.pdf` inside the function that needs it.
"""
