"""Dataset statistics: what a YOLO dataset of the dataset contract holds, per split and class.

The splits, their images and each image's label file are found by the training job's own code
(yolops_training.dataset_layout.read_layout and dataset_checks.check_split), so the figures are about exactly
the files a training reads. Label lines that the contract refuses (a bad class id, a box of size 0, a wrong
number of values) are not counted as boxes; they are counted in `skippedLabelLines` and the dataset's contract
errors in `problems` (`yolops dataset validate` lists them).

Box sizes are reported two ways:
- relative to the image: the width and height of each box as fractions of its image's width and height
  (quantiles and a 10-bin histogram over 0..1), the numbers YOLO labels hold;
- small / medium / large by COCO's area thresholds (32x32 and 96x96 pixels), applied to the box as the model
  sees it: Ultralytics resizes each image so that its longer side is `imgsz` (640 unless given), so a box's
  area is measured in the pixels of that resized image. This is how COCO's "small objects" are usually meant
  for a YOLO training, and it does not depend on how large the original files are. An image whose size cannot
  be read is taken as square.

Image sizes come from the image headers (Pillow opens a file lazily and reads only its header; no pixel is
decoded). The width and height are the stored ones (before any EXIF rotation).

The report is a JSON object with schemaVersion 1 (src/core/dataset/dataset-stats.ts is its zod schema); the
same dataset always gives the same JSON: lists are in a fixed order and floats are rounded.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from yolops_training.dataset_checks import COORD_TOLERANCE, check_split, image_extensions
from yolops_training.dataset_contract import DatasetProblem
from yolops_training.dataset_layout import DatasetLayout, read_layout

SCHEMA_VERSION = 1
DEFAULT_IMGSZ = 640  # Ultralytics' default training image size
COCO_SMALL_MAX_AREA = 32 * 32  # COCO: small < 32², medium < 96², large >= 96² (pixels)
COCO_MEDIUM_MAX_AREA = 96 * 96
QUANTILES = {"p0": 0.0, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "p100": 1.0}
HISTOGRAM_BINS = 10  # box width/height fractions: bins of 0.1 over 0..1
MAX_LISTED_SIZES = 20  # the most common image sizes listed; `distinct` counts them all
DIGITS = 6  # floats in the report are rounded, so the JSON is the same on every machine


@dataclass
class SplitData:
    """The raw figures of one split (or of all of them): the report and the plot are made from these."""

    name: str
    class_count: int
    boxes_per_image: list[int] = field(default_factory=list)
    class_boxes: list[int] = field(default_factory=list)
    class_images: list[int] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # box width / image width, one per box
    heights: list[float] = field(default_factory=list)
    model_areas: list[float] = field(default_factory=list)  # box area in pixels at imgsz (see the module doc)
    image_sizes: Counter[tuple[int, int]] = field(default_factory=Counter)
    unreadable_images: int = 0
    skipped_lines: int = 0

    def __post_init__(self) -> None:
        self.class_boxes = self.class_boxes or [0] * self.class_count
        self.class_images = self.class_images or [0] * self.class_count

    def absorb(self, other: SplitData) -> None:
        self.boxes_per_image += other.boxes_per_image
        self.class_boxes = [a + b for a, b in zip(self.class_boxes, other.class_boxes, strict=True)]
        self.class_images = [a + b for a, b in zip(self.class_images, other.class_images, strict=True)]
        self.widths += other.widths
        self.heights += other.heights
        self.model_areas += other.model_areas
        self.image_sizes.update(other.image_sizes)
        self.unreadable_images += other.unreadable_images
        self.skipped_lines += other.skipped_lines


@dataclass(frozen=True)
class DatasetStats:
    """The JSON report and the raw figures it was made from (the plot draws every box, not a histogram)."""

    report: dict[str, Any]
    names: tuple[str, ...]
    splits: dict[str, SplitData]
    total: SplitData


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_boxes(text: str, class_count: int) -> tuple[list[tuple[int, float, float]], int]:
    """(class id, width, height) of each usable object of a label file, and the number of lines skipped.

    A line is a box `class cx cy w h` or a polygon `class x1 y1 x2 y2 ...` (its bounding box, as detection
    training uses it). A line the dataset contract refuses is skipped, so no box is counted that a training
    would not see."""
    boxes: list[tuple[int, float, float]] = []
    skipped = 0
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        values = [_number(f) for f in fields]
        count = len(fields)
        cls = values[0]
        if (
            (count != 5 and (count < 7 or count % 2 == 0))
            or any(v is None for v in values)
            or cls is None
            or not cls.is_integer()
            or not 0 <= cls < class_count
        ):
            skipped += 1
            continue
        coords = [v for v in values[1:] if v is not None]
        if any(not -COORD_TOLERANCE <= v <= 1 + COORD_TOLERANCE for v in coords):
            skipped += 1
            continue
        if count == 5:
            width, height = coords[2], coords[3]
        else:
            xs, ys = coords[0::2], coords[1::2]
            width, height = max(xs) - min(xs), max(ys) - min(ys)
        if width <= 0 or height <= 0:
            skipped += 1
            continue
        boxes.append((int(cls), min(width, 1.0), min(height, 1.0)))
    return boxes, skipped


def _image_opener() -> Callable[..., Image.Image]:
    """PIL's own Image.open. Ultralytics, once imported (as in the training job), replaces it with a wrapper
    that pip-installs a decoder for a file PIL cannot identify: statistics must never install anything."""
    patches = sys.modules.get("ultralytics.utils.patches")
    return getattr(patches, "_image_open", Image.open) if patches is not None else Image.open


def image_size(path: Path, opener: Callable[..., Image.Image] = Image.open) -> tuple[int, int] | None:
    """(width, height) from the image's header, or None when it cannot be read. Opening reads the header only."""
    try:
        with opener(path) as image:
            width, height = image.size
    except Exception:  # noqa: BLE001 - any unreadable file is counted, never fatal (validate says why)
        return None
    return int(width), int(height)


def _split_data(layout: DatasetLayout, split: str, imgsz: int, problems: list[DatasetProblem]) -> SplitData:
    class_count = len(layout.names)
    found = check_split(layout, split, image_extensions(), problems)
    data = SplitData(name=split, class_count=class_count)
    opener = _image_opener()
    images = [image for _, image, _ in found.images]
    # Reading headers is I/O bound (and PIL releases the GIL while reading): threads help on a large dataset.
    with ThreadPoolExecutor(max_workers=16) as pool:
        sizes = list(pool.map(lambda image: image_size(image, opener), images))
    for (_, _, label), size in zip(found.images, sizes, strict=True):
        boxes: list[tuple[int, float, float]] = []
        if label is not None:
            try:
                text = label.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""  # check_split counted it as a problem
            boxes, skipped = parse_boxes(text, class_count)
            data.skipped_lines += skipped
        if size is None:
            data.unreadable_images += 1
        else:
            data.image_sizes[size] += 1
        width, height = size or (1, 1)
        scale = imgsz / max(width, height)
        data.boxes_per_image.append(len(boxes))
        for cls in {cls for cls, _, _ in boxes}:
            data.class_images[cls] += 1
        for cls, w, h in boxes:
            data.class_boxes[cls] += 1
            data.widths.append(w)
            data.heights.append(h)
            # Rounded, so a box of exactly 32x32 pixels is "medium" whatever the float error.
            data.model_areas.append(_round(w * width * scale * h * height * scale))
    return data


def _round(value: float) -> float:
    rounded = round(value, DIGITS)
    return rounded if rounded != 0 else 0.0  # no "-0.0"


def _quantiles(values: Sequence[float]) -> dict[str, float] | None:
    """The QUANTILES of the values (linear interpolation, as numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    out: dict[str, float] = {}
    for name, q in QUANTILES.items():
        position = q * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        out[name] = _round(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return out


def _histogram(values: Iterable[float]) -> list[int]:
    """Counts in HISTOGRAM_BINS equal bins over 0..1; the last bin holds 1.0 itself."""
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        # Rounded first: a polygon's width 0.3 - 0.1 is 0.19999999999999998, and belongs to the 0.2 bin.
        counts[min(max(math.floor(round(value * HISTOGRAM_BINS, DIGITS)), 0), HISTOGRAM_BINS - 1)] += 1
    return counts


def _min_median_max(values: Sequence[int]) -> dict[str, float] | None:
    if not values:
        return None
    return {"min": min(values), "median": _round(statistics.median(values)), "max": max(values)}


def _split_report(data: SplitData, names: Sequence[str]) -> dict[str, Any]:
    per_image = data.boxes_per_image
    sizes = data.image_sizes
    expanded_widths = [w for (w, _), n in sizes.items() for _ in range(n)]
    expanded_heights = [h for (_, h), n in sizes.items() for _ in range(n)]
    common = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:MAX_LISTED_SIZES]
    return {
        "images": len(per_image),
        "backgroundImages": sum(1 for n in per_image if n == 0),
        "boxes": sum(per_image),
        "skippedLabelLines": data.skipped_lines,
        "classes": [
            {"id": i, "name": name, "images": data.class_images[i], "boxes": data.class_boxes[i]}
            for i, name in enumerate(names)
        ],
        "boxesPerImage": {
            "mean": _round(statistics.fmean(per_image)) if per_image else None,
            "median": _round(statistics.median(per_image)) if per_image else None,
            "max": max(per_image) if per_image else None,
            "histogram": [{"boxes": k, "images": n} for k, n in sorted(Counter(per_image).items())],
        },
        "boxSizes": {
            "width": {"quantiles": _quantiles(data.widths), "histogram": _histogram(data.widths)},
            "height": {"quantiles": _quantiles(data.heights), "histogram": _histogram(data.heights)},
            "buckets": {
                "small": sum(1 for a in data.model_areas if a < COCO_SMALL_MAX_AREA),
                "medium": sum(1 for a in data.model_areas if COCO_SMALL_MAX_AREA <= a < COCO_MEDIUM_MAX_AREA),
                "large": sum(1 for a in data.model_areas if a >= COCO_MEDIUM_MAX_AREA),
            },
        },
        "imageSizes": {
            "width": _min_median_max(expanded_widths),
            "height": _min_median_max(expanded_heights),
            "distinct": len(sizes),
            "common": [{"width": w, "height": h, "images": n} for (w, h), n in common],
            "unreadable": data.unreadable_images,
        },
    }


def _class_balance(total: SplitData, names: Sequence[str]) -> dict[str, Any]:
    """How uneven the classes are: the largest class's boxes over the smallest's (null when a class has none)."""
    boxes = total.class_boxes
    return {
        "maxToMinBoxes": _round(max(boxes) / min(boxes)) if boxes and min(boxes) > 0 else None,
        "boxShare": [_round(n / sum(boxes)) if sum(boxes) else 0.0 for n in boxes],
        "withoutBoxes": [name for name, n in zip(names, boxes, strict=True) if n == 0],
    }


def compute_stats(root: Path, imgsz: int = DEFAULT_IMGSZ, layout: DatasetLayout | None = None) -> DatasetStats:
    """The statistics of the dataset in root (the folder holding data.yaml, or one folder above it); `layout`
    when the caller has read it already (the training job).

    Raises yolops_training's JobFailure (DatasetFailure, ProblemList) when the folder is no usable dataset:
    no data.yaml, unparseable, train or val missing."""
    if imgsz < 1:
        raise ValueError(f"imgsz must be a positive number of pixels, not {imgsz}")
    layout = layout or read_layout(root, ("train", "val"))
    problems: list[DatasetProblem] = []
    splits = {name: _split_data(layout, name, imgsz, problems) for name in layout.split_dirs}
    total = SplitData(name="total", class_count=len(layout.names))
    for data in splits.values():
        total.absorb(data)
    errors = sum(1 for p in problems if p.severity == "error")
    report = {
        "schemaVersion": SCHEMA_VERSION,
        "dataYaml": layout.shown(layout.yaml_file),
        "classes": list(layout.names),
        "boxSizeBuckets": {
            "imgsz": imgsz,
            "smallMaxArea": COCO_SMALL_MAX_AREA,
            "mediumMaxArea": COCO_MEDIUM_MAX_AREA,
            "histogramBins": HISTOGRAM_BINS,
        },
        "splits": {name: _split_report(data, layout.names) for name, data in splits.items()},
        "total": _split_report(total, layout.names),
        "classBalance": _class_balance(total, layout.names),
        "problems": errors,
    }
    return DatasetStats(report=report, names=layout.names, splits=splits, total=total)


def write_report(stats: DatasetStats, target: Path) -> None:
    """The report as JSON with sorted keys (the same dataset, the same bytes), written under a temporary name
    and renamed, so no reader ever sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(json.dumps(stats.report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
