"""Save a bar chart of benchmark figures next to the script (artifacts/bench/*.png), if matplotlib is there."""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "bench"


def bars(name: str, title: str, labels: list[str], values: list[float], unit: str) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot)")
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.35 * len(values) + 1)))
    ax.barh(labels, values, color=["#4c72b0", "#dd8452", "#55a868", "#c44e52"][: len(values)])
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.3g} {unit}", va="center")
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.set_xlim(0, max(values) * 1.3)
    fig.tight_layout()
    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot: {path}")
    return path
