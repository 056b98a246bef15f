"""Printable documents as PDF (projection reports, permit cards, registration certificates): the
same kind of HTML the browser prints, laid out by WeasyPrint.

The report templates carry their styles inline, so nothing is fetched while printing (the
fetcher allows only data: URLs). Fonts come from fontconfig: the project's setup installs
Debian's fonts-wqy-microhei, so Chinese text is set in WenQuanYi Micro Hei, embedded (subset)
in the file.
"""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered report page (WeasyPrint is loaded on first use: it is large)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
