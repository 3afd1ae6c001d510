"""Layout and accessibility checks for a page open in chromium: axe-core's violations, horizontal overflow,
the size text is drawn at (SVG text scaled by its chart), and the header's footprint.

axe-core comes from npm (tests/dashboard/browser/node/package.json, pinned), installed into that folder's
git-ignored node_modules on first use and read from there afterwards, offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
AXE = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
READABLE_PX = 11.0

# Every element's own text, and every chart's text at the size the screen shows it (font-size × the SVG's scale)
TEXT_SIZES = """() => {
  const out = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1; };
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!visible(svg)) continue;
    const scale = svg.getScreenCTM().a;
    for (const t of svg.querySelectorAll('text')) {
      out.push({where: 'chart ' + svg.id, text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale});
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('svg') || !visible(el)) continue;
    out.push({where: el.tagName.toLowerCase(), text: node.textContent.trim().slice(0, 40),
              px: parseFloat(getComputedStyle(el).fontSize)});
  }
  return out;
}"""


def axe_source() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility checks: apt-get install npm",
                        pytrace=False)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR, check=True,
                       timeout=300)
    return AXE


def violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now (every rule axe runs by default), one line each.
    The page's context must bypass CSP: axe is injected as a script of the test's."""
    page.add_script_tag(path=str(axe_source()))
    found = page.evaluate("async () => (await axe.run(document)).violations.map(v => "
                          "v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return [str(v) for v in found]


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate("() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"))


def small_text(page: Any) -> list[dict[str, Any]]:
    """Text drawn smaller than READABLE_PX."""
    return [t for t in page.evaluate(TEXT_SIZES) if t["px"] < READABLE_PX - 0.01]


def chart_text_sizes(page: Any) -> list[float]:
    return [t["px"] for t in page.evaluate(TEXT_SIZES) if t["where"].startswith("chart")]


def header_box(page: Any) -> dict[str, float]:
    return dict(page.evaluate("() => { const r = document.querySelector('header').getBoundingClientRect(); "
                              "return {width: r.width, height: r.height}; }"))
