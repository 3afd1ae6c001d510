"""The invoice PDF: the hosted page's ``Document`` (``documents.py``) drawn with fpdf2 (ADR 0007), in the
page's order and colours: seller and number, the status stamp, the amount still owed, the parties and
dates, the lines, the totals block, the footer. The table of lines breaks across as many A4 pages as it
needs, its header repeated on each, with "Page n of m" at the foot of every page.

Fonts are embedded (subset), so a customer's viewer shows what was drawn:
- DejaVu Sans for every text it covers (Latin, Greek, Cyrillic, €, —): ``arrears/api/fonts/``
  (``scripts/ensure-fonts`` puts it there; ``make setup`` runs it), else the system's copy
  (``/usr/share/fonts/truetype/dejavu``, Debian's ``fonts-dejavu-core``).
- Noto Sans CJK (the ``noto-cjk-sans-jp-regular`` package, a dependency) for what DejaVu lacks: Chinese,
  Japanese and Korean names. It is loaded only for a document that needs it (it costs ~0.7 s), and is
  the only font when no DejaVu is found at all: slower, never wrong."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, TableCellFillMode, XPos, YPos

from arrears.api.documents import Document

FONT_DIRS = (Path(__file__).parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"

# The page's palette (templates/invoice.html).
INK, MUTED, RULE, ACCENT = (26, 31, 54), (105, 115, 134), (227, 232, 238), (99, 91, 255)
STAMP_COLOURS = {"paid": ((14, 98, 69), (203, 244, 201)), "void": ((79, 86, 107), (227, 232, 238)),
                 "uncollectible": ((164, 28, 78), (253, 226, 221))}


@functools.cache
def dejavu(folders: tuple[Path, ...] = FONT_DIRS) -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold, from the first folder that has both."""
    for folder in folders:
        if (folder / REGULAR).is_file() and (folder / BOLD).is_file():
            return folder / REGULAR, folder / BOLD
    return None


@functools.cache
def cjk() -> Path | None:
    spec = importlib.util.find_spec("noto_cjk_sans_jp_regular")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "NotoSansCJKjp-Regular.otf"
    return path if path.is_file() else None


@functools.cache
def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.astuple(value):
            yield from _texts(item)


class _Sheet(FPDF):
    def __init__(self, doc: Document, font_dirs: tuple[Path, ...]) -> None:
        super().__init__(format="A4", unit="mm")
        self.doc = doc
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=20)
        self.bold = "B"
        self._fonts(doc, font_dirs)
        self.set_title(f"Invoice {doc.number}")
        self.set_author(doc.seller.name)
        self.set_lang("en")
        self.set_creator("arrears")

    def _fonts(self, doc: Document, font_dirs: tuple[Path, ...]) -> None:
        pair, fallback = dejavu(font_dirs), cjk()
        if pair is not None:
            self.add_font("main", "", str(pair[0]))
            self.add_font("main", "B", str(pair[1]))
            covered = _covered(pair[0])
            needs_more = any(ord(ch) not in covered for text in _texts(doc) for ch in text if ch not in "\n\t")
            if needs_more and fallback is not None:
                self.add_font("cjk", "", str(fallback))
                self.set_fallback_fonts(["cjk"], exact_match=False)
        elif fallback is not None:
            self.add_font("main", "", str(fallback))
            self.bold = ""  # one face only: loading it twice would double the slow path
        else:
            raise RuntimeError("no Unicode font for the invoice PDF: the noto-cjk-sans-jp-regular package "
                               "(a dependency of arrears) is missing; reinstall arrears")

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font("main", self.bold if bold else "", size)
        self.set_text_color(*colour)

    def header(self) -> None:
        if self.page_no() > 1:
            self.font(8, colour=MUTED)
            self.cell(0, 5, f"{self.doc.seller.name} · Invoice {self.doc.number} (continued)",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.font(8, colour=MUTED)
        self.cell(0, 5, f"Invoice {self.doc.number} · Page {self.page_no()} of {{nb}}", align=Align.R)


def _stamp(pdf: _Sheet, doc: Document) -> None:
    if not doc.stamp:
        return
    ink, paper = STAMP_COLOURS.get(doc.status, (INK, RULE))
    pdf.font(12, bold=True, colour=ink)
    width = pdf.get_string_width(doc.stamp) + 8
    x = pdf.w - pdf.r_margin - width
    pdf.set_draw_color(*ink)
    pdf.set_fill_color(*paper)
    pdf.set_line_width(0.6)
    pdf.set_xy(x, 16)
    pdf.cell(width, 9, doc.stamp, border=1, fill=True, align=Align.C)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(255, 255, 255)


def _parties(pdf: _Sheet, doc: Document) -> None:
    columns: list[tuple[str, list[tuple[str, bool]]]] = [
        (party.label, [(party.name, True)] + [(line, False) for line in party.lines])
        for party in (doc.seller, doc.customer)]
    details = [(f"Invoice number: {doc.number}", False)] + [(f"{label}: {text}", False) for label, text in doc.dates]
    details += [(f"{name}: {value}", False) for name, value in doc.custom_fields]
    columns.append(("Details", details))
    top, width = pdf.get_y(), (pdf.epw - 8) / 3
    bottom = top
    for index, (title, lines) in enumerate(columns):
        pdf.set_xy(pdf.l_margin + index * (width + 4), top)
        pdf.font(7.5, bold=True, colour=MUTED)
        pdf.cell(width, 5, title.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
        for text, strong in lines:
            pdf.font(9.5, bold=strong)
            pdf.multi_cell(width, 5, text, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 6)


def _lines(pdf: _Sheet, doc: Document) -> None:
    pdf.font(9.5)
    pdf.set_draw_color(*RULE)
    heading = FontFace(emphasis="BOLD" if pdf.bold else None, color=MUTED, size_pt=8)
    with pdf.table(col_widths=(92, 14, 34, 34), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES, headings_style=heading,
                   line_height=4.6, padding=(1.3, 1), first_row_as_headings=True, repeat_headings=1,
                   cell_fill_mode=TableCellFillMode.NONE) as table:
        table.row(("DESCRIPTION", "QTY", "UNIT PRICE", "AMOUNT"))
        for line in doc.lines:
            table.row(("\n".join([line.description, *line.notes]), line.quantity, line.unit_price, line.amount))


def _totals(pdf: _Sheet, doc: Document) -> None:
    pdf.ln(4)
    label_w, value_w = 46.0, 36.0
    for label, value in doc.totals:
        strong = label in ("Total", "Amount remaining")
        if pdf.will_page_break(6):
            pdf.add_page()
        pdf.set_x(pdf.w - pdf.r_margin - label_w - value_w)
        pdf.font(9.5, bold=strong, colour=INK if strong else MUTED)
        pdf.cell(label_w, 6, label)
        pdf.font(9.5, bold=strong)
        pdf.cell(value_w, 6, value, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(doc: Document, *, font_dirs: tuple[Path, ...] = FONT_DIRS) -> bytes:
    """The invoice PDF's bytes; ``font_dirs``: where to look for DejaVu Sans (none: Noto Sans CJK only)."""
    pdf = _Sheet(doc, font_dirs)
    pdf.add_page()
    pdf.font(9.5, bold=True, colour=MUTED)
    pdf.cell(0, 5, doc.seller.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(18, bold=True)
    pdf.cell(0, 9, f"{doc.title} {doc.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = pdf.get_y()
    _stamp(pdf, doc)
    pdf.set_xy(pdf.l_margin, y + 4)
    pdf.font(20, bold=True)
    pdf.cell(0, 10, doc.amount_due, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    due = next((text for label, text in doc.dates if label == "Date due"), None)
    caption = f"{doc.stamp.capitalize()} · amount remaining" if doc.stamp else (
        f"Amount due {due}" if due else "Amount due")
    pdf.font(9, colour=MUTED)
    pdf.cell(0, 5, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)
    _parties(pdf, doc)
    if doc.description:
        pdf.font(9.5)
        pdf.multi_cell(0, 5, doc.description, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    pdf.font(11, bold=True)
    pdf.cell(0, 7, "Items", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _lines(pdf, doc)
    _totals(pdf, doc)
    if doc.footer:
        pdf.ln(6)
        pdf.font(8.5, colour=MUTED)
        pdf.multi_cell(0, 4.5, doc.footer, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
