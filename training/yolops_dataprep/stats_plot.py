"""One PNG of a dataset's statistics, four panels: boxes per class and split, boxes per image, box sizes (width
against height, as fractions of the image), image sizes.

Drawn with matplotlib's Agg canvas on a Figure of its own (no pyplot, so no GUI backend and no global state)
and its bundled DejaVu font: nothing is downloaded. The PNG carries no software version, so the same dataset
gives the same file with the same matplotlib.
"""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .stats import DatasetStats

SPLIT_COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c"}
MAX_CLASS_BARS = 40  # beyond this, class names are unreadable: the busiest classes are drawn


def _boxes_per_class(ax, stats: DatasetStats) -> None:  # type: ignore[no-untyped-def]
    order = list(range(len(stats.names)))  # class id order, unless there are too many to read: then the busiest
    if len(order) > MAX_CLASS_BARS:
        order = sorted(sorted(order, key=lambda i: (-stats.total.class_boxes[i], i))[:MAX_CLASS_BARS])
    splits = list(stats.splits.values())
    width = 0.8 / max(len(splits), 1)
    for k, data in enumerate(splits):
        xs = [i + (k - (len(splits) - 1) / 2) * width for i in range(len(order))]
        ax.bar(xs, [data.class_boxes[i] for i in order], width, label=data.name, color=SPLIT_COLORS.get(data.name))
    ax.set_xticks(range(len(order)), [stats.names[i] for i in order], rotation=45 if len(order) > 6 else 0, ha="right" if len(order) > 6 else "center")
    shown = "" if len(order) == len(stats.names) else f" (the {len(order)} largest of {len(stats.names)} classes)"
    ax.set_title(f"Boxes per class and split{shown}")
    ax.set_ylabel("boxes")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()


def _boxes_per_image(ax, stats: DatasetStats) -> None:  # type: ignore[no-untyped-def]
    splits = list(stats.splits.values())
    top = max((max(d.boxes_per_image, default=0) for d in splits), default=0)
    width = 0.8 / max(len(splits), 1)
    for k, data in enumerate(splits):
        counts = [0] * (top + 1)
        for n in data.boxes_per_image:
            counts[n] += 1
        xs = [i + (k - (len(splits) - 1) / 2) * width for i in range(top + 1)]
        ax.bar(xs, counts, width, label=data.name, color=SPLIT_COLORS.get(data.name))
    ax.set_title("Boxes per image (0: background images)")
    ax.set_xlabel("boxes in the image")
    ax.set_ylabel("images")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()


def _box_sizes(fig: Figure, ax, stats: DatasetStats) -> None:  # type: ignore[no-untyped-def]
    widths, heights = stats.total.widths, stats.total.heights
    if widths:
        *_, image = ax.hist2d(widths, heights, bins=50, range=[[0, 1], [0, 1]], cmin=1, norm=LogNorm(), cmap="viridis")
        fig.colorbar(image, ax=ax, label="boxes")
    else:
        ax.text(0.5, 0.5, "no boxes", ha="center", va="center")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Box sizes, all splits ({len(widths)} boxes)")
    ax.set_xlabel("box width / image width")
    ax.set_ylabel("box height / image height")


def _image_sizes(ax, stats: DatasetStats) -> None:  # type: ignore[no-untyped-def]
    sizes = sorted(stats.total.image_sizes.items())
    if sizes:
        most = max(n for _, n in sizes)
        ax.scatter(
            [w for (w, _), _ in sizes],
            [h for (_, h), _ in sizes],
            s=[20 + 280 * n / most for _, n in sizes],
            alpha=0.6,
            color="#9467bd",
        )
        for (w, h), n in sorted(sizes, key=lambda item: (-item[1], item[0]))[:5]:
            ax.annotate(f"{w}x{h}: {n}", (w, h), textcoords="offset points", xytext=(6, 6), fontsize=8)
    else:
        ax.text(0.5, 0.5, "no readable images", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(f"Image sizes ({len(sizes)} distinct; dot area: images)")
    ax.set_xlabel("width (px)")
    ax.set_ylabel("height (px)")
    ax.margins(0.15)


def draw_stats(stats: DatasetStats, target: Path) -> None:
    """Write the PNG to target, atomically (a temporary file renamed): never half a PNG."""
    fig = Figure(figsize=(14, 10), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    (a, b), (c, d) = fig.subplots(2, 2)
    _boxes_per_class(a, stats)
    _boxes_per_image(b, stats)
    _box_sizes(fig, c, stats)
    _image_sizes(d, stats)
    fig.suptitle(f"Dataset statistics: {sum(len(d.boxes_per_image) for d in stats.splits.values())} images, "
                 f"{len(stats.total.widths)} boxes, {len(stats.names)} classes")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        fig.savefig(temporary, format="png", metadata={"Software": None})
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
