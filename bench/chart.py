"""Draw bench/chart.png from a results JSON (run with the bench venv's matplotlib):
python bench/chart.py bench/results/latest.json bench/chart.png"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"arrears": "#2b6cb0", "arrears-postgres": "#4299e1", "localstripe": "#c05621", "ceiling": "#718096"}


def main(src: str, out: str) -> None:
    with open(src) as f:
        doc = json.load(f)
    main_runs = [r for r in doc["scenarios"] if not r["name"].startswith("growth.")]
    growth = [r for r in doc["scenarios"] if r["name"].startswith("growth.")]
    fig, axes = plt.subplots(1, 2 if growth else 1, figsize=(13 if growth else 8, 5.5), squeeze=False)
    ax = axes[0][0]
    names = [r["name"] for r in main_runs]
    values = [r["rps"] for r in main_runs]
    bars = ax.barh(names, values, color=[COLORS.get(r["system"], "#999") for r in main_runs])
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("requests/s (log scale)")
    ax.set_title(f"Side by side, {doc['settings']['connections']} connections, one run")
    for bar, r in zip(bars, main_runs, strict=True):
        ax.text(bar.get_width() * 1.05, bar.get_y() + bar.get_height() / 2,
                f"{r['rps']:,.0f}  p99 {r['p99_ms']:.0f} ms", va="center", fontsize=8)
    ax.set_xlim(right=max(values) * 8)
    if growth:
        ax2 = axes[0][1]
        small, large = doc["growth"]["sizes"]
        ops = [op for op in ("get", "list", "search", "mark")
               if any(r["op"] == op for r in growth)]
        by = {(r["op"], r["size"]): r for r in growth}
        xs = range(len(ops))
        width = 0.38
        for i, (size, color) in enumerate(((small, "#90cdf4"), (large, "#2b6cb0"))):
            vals = [by[(op, size)]["rps"] if (op, size) in by else 0 for op in ops]
            b = ax2.bar([x + (i - 0.5) * width for x in xs], vals, width, label=f"{size:,} invoices", color=color)
            for bar, op in zip(b, ops, strict=True):
                r = by.get((op, size))
                if r:
                    ax2.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"p99 {r['p99_ms']:.0f} ms",
                             ha="center", va="bottom", fontsize=7)
        ax2.set_xticks(list(xs), ops)
        ax2.set_ylabel("requests/s")
        source = growth[0].get("from_run")
        ax2.set_title("Growth: arrears at two database sizes" + (f"\n(run of {source})" if source else ""))
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8)
    fig.suptitle(f"arrears benchmark {doc['started']} ({doc['mode']}), {doc['machine']['nproc']} cores "
                 f"{doc['machine']['cpu_model']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
