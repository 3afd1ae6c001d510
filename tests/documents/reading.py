"""Reading invoice documents back as a person would: the PDF's text page by page, and a page's text
without its markup.

The PDF is read with PDFium (pypdfium2), the engine of Chrome's PDF viewer. pypdf and pdfminer.six read
the Latin text too, but not the Chinese: fpdf2 encodes a CID-keyed CFF font (Noto Sans CJK) through an
embedded encoding CMap, which both decode a byte at a time (``\x00北\x00京``) or drop."""

from __future__ import annotations

import html
import re

import pypdfium2


def squeeze(text: str) -> str:
    """Text without any whitespace: extractors space glyphs of different fonts apart (``北 京``) and
    pages wrap lines, neither of which changes what is printed."""
    return re.sub(r"\s+", "", text)


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF"), content[:20]
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def page_text(markup: str) -> str:
    without_style = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_style))
