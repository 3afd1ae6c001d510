"""The invoice PDF drawn from a stored invoice without a server (``api/invoice_pdf.py``), read back with
PDFium: every line of a long invoice on pages that repeat the table's header, Unicode names and the euro
sign, the stamp, and the fonts it embeds, including the fallback when DejaVu Sans is nowhere."""

from __future__ import annotations

import pypdfium2
import pytest

from arrears.api import documents, invoice_pdf
from tests.documents.reading import pdf_pages, squeeze
from tests.documents.samples import invoice, line


def fonts_of(content: bytes) -> set[str]:
    """The base names of the fonts a PDF embeds (``DejaVuSansBook``, ``NotoSansCJKJP``...), subset tag off."""
    found = set()
    for chunk in content.split(b"/BaseFont /")[1:]:
        name = chunk.split(b" ", 1)[0].split(b"\n", 1)[0].split(b"/", 1)[0].decode()
        found.add(name.split("+", 1)[-1].rstrip(">"))
    return found


def test_seventy_lines_run_to_several_pages_each_with_the_header_and_every_line_once() -> None:
    lines = [line(f"Zoë Café — 北京 · line {i:02d}", 1200 + i, "eur") for i in range(70)]
    pages = pdf_pages(invoice_pdf.render(documents.document(invoice(currency="eur", lines=lines))))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "DESCRIPTION" in text and "UNIT PRICE" in text, number
        assert f"Page {number} of {len(pages)}" in text
    flat = squeeze("".join(pages))
    for i in range(70):
        assert flat.count(squeeze(f"Zoë Café — 北京 · line {i:02d}")) == 1, i
        assert squeeze(f"€{(1200 + i) / 100:,.2f}") in flat
    assert squeeze("Amount remaining €" + f"{sum(1200 + i for i in range(70)) / 100:,.2f}") in flat


@pytest.mark.parametrize(("status", "stamp"), [("paid", "PAID"), ("void", "VOID"),
                                               ("uncollectible", "UNCOLLECTIBLE")])
def test_the_stamp_is_printed_on_the_first_page(status: str, stamp: str) -> None:
    first = pdf_pages(invoice_pdf.render(documents.document(invoice(status=status, customer_name="Zoë"))))[0]
    assert stamp in first.split()


def test_latin_text_embeds_dejavu_only_and_chinese_adds_noto_sans_cjk() -> None:
    latin = invoice_pdf.render(documents.document(invoice(customer_name="Zoë Café", lines=[line("Tea €", 100)])))
    assert fonts_of(latin) == {"DejaVuSansBook", "DejaVuSansBold"}
    chinese = invoice_pdf.render(documents.document(invoice(customer_name="Zoë Café — 北京")))
    assert fonts_of(chinese) == {"DejaVuSansBook", "DejaVuSansBold", "NotoSansCJKJP"}
    assert squeeze("Zoë Café — 北京") in squeeze(pdf_pages(chinese)[0])


def test_without_dejavu_anywhere_the_pdf_is_drawn_in_noto_sans_cjk_alone() -> None:
    content = invoice_pdf.render(documents.document(invoice()), font_dirs=())
    assert fonts_of(content) == {"NotoSansCJKJP"}
    text = squeeze(pdf_pages(content)[0])
    assert squeeze("Zoë Café — 北京") in text and "$10.99" in text


def test_the_pdf_is_a4_and_titled_for_the_invoice() -> None:
    document = pypdfium2.PdfDocument(invoice_pdf.render(documents.document(invoice(customer_name="Zoë"))))
    try:
        width, height = document[0].get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert document.get_metadata_dict()["Title"] == "Invoice ABCD-0001"
    finally:
        document.close()
