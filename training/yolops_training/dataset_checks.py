"""Check every image and label file of a dataset before training, reporting each problem with file:line.

Ultralytics drops a bad label file (and its image) from training with one warning line, so a dataset with
a wrong class id or a broken export trains "fine" on less data. This check fails the job instead, listing
every problem at once. Its rules follow Ultralytics' own label reader (ultralytics.data.utils
.verify_image_label) so that a dataset that passes here trains on all of its images:

- a label line is `class x_center y_center width height` (5 fields), or a polygon `class x1 y1 x2 y2 ...`
  (an odd count >= 7), never both kinds in one file;
- class ids are whole numbers in 0..nc-1; coordinates are within 0..1 (Ultralytics' rounding tolerance of
  0.01 is accepted);
- an image is readable (PIL verify) and at least 10x10 pixels;
- an image without a label file, or with an empty one, is a background image: allowed and counted;
- a label file without an image is an error (usually a renamed or missing image), except `classes.txt`.

The label file of an image is found the way Ultralytics finds it: the last `/images/` folder of the image
path becomes `/labels/` and the extension becomes `.txt`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .dataset_layout import DatasetLayout
from .errors import ProblemList

COORD_TOLERANCE = 0.01  # Ultralytics accepts coordinates up to 1.01 (and down to -0.01) as rounding noise
MIN_IMAGE_SIDE = 10
IGNORED_LABEL_FILES = frozenset({"classes.txt"})  # written by LabelImg and some exporters next to the labels


def image_extensions() -> frozenset[str]:
    """Ultralytics' list of image formats, so both sides agree on which files are images."""
    from ultralytics.data.utils import IMG_FORMATS

    return frozenset(IMG_FORMATS)


def label_path_for(image: Path) -> Path:
    """Ultralytics' rule: replace the last '/images/' folder with '/labels/' and the extension with '.txt'."""
    sa, sb = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
    return Path(sb.join(str(image).rsplit(sa, 1)).rsplit(".", 1)[0] + ".txt")


@dataclass
class SplitReport:
    """What one split holds: its images (with their label files) and counts for the log."""

    name: str
    image_dirs: tuple[Path, ...]
    images: list[tuple[Path, Path, Path | None]] = field(default_factory=list)  # (image dir, image, label or None)
    backgrounds: int = 0
    boxes: int = 0
    image_bytes: int = 0

    def summary(self) -> str:
        return (
            f"{self.name}: {len(self.images)} images ({self.backgrounds} backgrounds without boxes), {self.boxes} boxes"
        )


@dataclass
class DatasetReport:
    layout: DatasetLayout
    splits: dict[str, SplitReport]

    @property
    def names(self) -> tuple[str, ...]:
        return self.layout.names

    @property
    def image_bytes(self) -> int:
        return sum(s.image_bytes for s in self.splits.values())

    @property
    def image_count(self) -> int:
        return sum(len(s.images) for s in self.splits.values())


def _check_label_file(label: Path, nc: int, shown: str, problems: list[str]) -> int:
    """Check one label file; return its number of boxes (0 for an empty file: a background image)."""
    try:
        text = label.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(f"{shown}: cannot be read as UTF-8 text ({e})")
        return 0
    boxes = polygons = 0
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{shown}:{number}"
        if len(fields) == 5:
            boxes += 1
        elif len(fields) >= 7 and len(fields) % 2 == 1:
            polygons += 1
        else:
            problems.append(
                f"{where}: {len(fields)} values, expected 5 (class x_center y_center width height) "
                "or a polygon (class x1 y1 x2 y2 x3 y3 ...)"
            )
            continue
        try:
            values = [float(f) for f in fields]
        except ValueError:
            problems.append(f"{where}: not all values are numbers: {line.strip()!r}")
            continue
        cls = values[0]
        if not cls.is_integer() or not 0 <= cls < nc:
            allowed = f"0..{nc - 1}" if nc else "none (data.yaml has no names)"
            problems.append(
                f"{where}: class id {fields[0]} is not a class of data.yaml (ids {allowed}); "
                "fix the id or add the class to 'names'"
            )
        coords = values[1:]
        bad = [f for f, v in zip(fields[1:], coords, strict=True) if not -COORD_TOLERANCE <= v <= 1 + COORD_TOLERANCE]
        if bad:
            problems.append(
                f"{where}: coordinate(s) {', '.join(bad)} outside 0..1; "
                "YOLO labels are normalized by the image width and height"
            )
    if boxes and polygons:
        problems.append(f"{shown}: mixes box lines (5 values) and polygon lines; use one kind per file")
    return boxes + polygons


def _pil_open() -> Callable[..., Image.Image]:
    """PIL's own Image.open. Importing Ultralytics replaces it with a wrapper that, on a file PIL cannot identify,
    pip-installs pi-heif and retries: a corrupt image must be reported here, not trigger a package install."""
    from ultralytics.utils import patches

    return getattr(patches, "_image_open", Image.open)


def _check_image(image: Path, opener: Callable[..., Image.Image]) -> str | None:
    """None when the image is usable, else why not."""
    try:
        with opener(image) as im:
            im.verify()  # reads the whole file structure without decoding pixels
            width, height = im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        hint = (
            " (HEIC/HEIF needs the pi-heif package: convert it to JPEG or PNG)"
            if image.suffix.lower() in (".heic", ".heif")
            else ""
        )
        return f"cannot be read as an image ({type(e).__name__}: {e}){hint}; re-export or remove it"
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        return f"is {width}x{height} pixels; Ultralytics needs at least {MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE}"
    return None


def _list_images(image_dir: Path, extensions: frozenset[str]) -> list[Path]:
    # The same files Ultralytics takes: everything below the folder whose extension is an image format.
    return sorted(p for p in image_dir.rglob("*.*") if p.suffix[1:].lower() in extensions and p.is_file())


def _orphan_labels(image_dir: Path, expected: set[Path]) -> list[Path]:
    """Label files under the split's label folder that belong to no image."""
    label_root = label_path_for(image_dir / "x.jpg").parent
    if not label_root.is_dir():
        return []
    return sorted(
        p for p in label_root.rglob("*.txt") if p.name not in IGNORED_LABEL_FILES and p not in expected and p.is_file()
    )


def check_split(layout: DatasetLayout, name: str, extensions: frozenset[str], problems: list[str]) -> SplitReport:
    report = SplitReport(name=name, image_dirs=layout.split_dirs[name])
    nc = len(layout.names)
    for image_dir in report.image_dirs:
        images = _list_images(image_dir, extensions)
        expected: set[Path] = set()
        for image in images:
            label = label_path_for(image)
            expected.add(label)
            has_label = label.is_file()
            report.images.append((image_dir, image, label if has_label else None))
            report.image_bytes += image.stat().st_size
            count = _check_label_file(label, nc, layout.shown(label), problems) if has_label else 0
            report.boxes += count
            report.backgrounds += count == 0
        for orphan in _orphan_labels(image_dir, expected):
            problems.append(
                f"{layout.shown(orphan)}: label file with no image (expected an image named "
                f"{orphan.stem}.<jpg|png|...> in {layout.shown(image_dir)}); add the image or delete the label"
            )
    if not report.images:
        shown_dirs = ", ".join(layout.shown(d) for d in report.image_dirs)
        problems.append(f"split '{name}' ({shown_dirs}) has no images (formats: {', '.join(sorted(extensions))})")
    return report


def check_images(layout: DatasetLayout, reports: list[SplitReport], problems: list[str]) -> None:
    images = [image for report in reports for _, image, _ in report.images]
    opener = _pil_open()
    # PIL's verify is I/O bound and releases the GIL while reading, so threads scale on a large dataset.
    with ThreadPoolExecutor(max_workers=min(32, (os.cpu_count() or 1) * 4)) as pool:
        for image, message in zip(images, pool.map(lambda i: _check_image(i, opener), images), strict=True):
            if message:
                problems.append(f"{layout.shown(image)}: {message}")


def check_dataset(layout: DatasetLayout) -> DatasetReport:
    """Check all splits of the layout; raise ProblemList with every problem, or return the counts."""
    extensions = image_extensions()
    problems: list[str] = []
    reports = {name: check_split(layout, name, extensions, problems) for name in layout.split_dirs}
    check_images(layout, list(reports.values()), problems)
    if problems:
        raise ProblemList(
            f"The dataset in {layout.root} has bad files",
            problems,
            "correct or remove the files listed, then upload the dataset again",
        )
    return DatasetReport(layout=layout, splits=reports)
