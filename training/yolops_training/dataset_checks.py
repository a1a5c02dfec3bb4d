"""Check every image and label file of a dataset before training, reporting each problem with file:line.

Ultralytics drops a bad label file (and its image) from training with one warning line, so a dataset with
a wrong class id or a broken export trains "fine" on less data. This check fails the job instead, listing
every problem at once, each with its code of the dataset contract (dataset_contract.json, which the
TypeScript validator reads too). Only errors stop a job: warnings are the validator's, which runs before.
Its rules follow Ultralytics' own label reader (ultralytics.data.utils.verify_image_label) so that a dataset
that passes here trains on all of its images:

- a label line is `class x_center y_center width height` (5 fields), or a polygon `class x1 y1 x2 y2 ...`
  (an odd count >= 7), never both kinds in one file;
- class ids are whole numbers in 0..nc-1; coordinates are within 0..1 (Ultralytics' rounding tolerance of
  0.01 is accepted);
- an image has an extension of Ultralytics' IMG_FORMATS (the contract's list), is readable (PIL verify) and
  at least 10x10 pixels; HEIC/HEIF are refused (the pi-heif decoder is not installed);
- two images of one folder must not share a stem (a.jpg, a.png): both would read the same label file;
- an image without a label file, or with an empty one, is a background image: allowed and counted;
- a label file without an image is an error (usually a renamed or missing image), except `classes.txt`.

The label file of an image is found the way Ultralytics finds it: the last `/images/` folder of the image
path becomes `/labels/` and the extension becomes `.txt`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .dataset_contract import CONTRACT, DatasetProblem
from .dataset_layout import DatasetLayout
from .errors import ProblemList

COORD_TOLERANCE = CONTRACT.coordinate_tolerance  # Ultralytics accepts up to 1.01 (and down to -0.01) as noise
MIN_IMAGE_SIDE = CONTRACT.min_image_side
IGNORED_LABEL_FILES = CONTRACT.ignored_label_files  # classes.txt: written by LabelImg next to the labels
# The number syntax the TypeScript reader accepts (Python's float() would also take "nan", "inf" and "1_0").
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^\d+$")


def image_extensions() -> frozenset[str]:
    """The contract's image extensions: Ultralytics' IMG_FORMATS (a test keeps the two equal)."""
    return CONTRACT.image_extensions


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


def _check_line(fields: list[str], nc: int, where: str, shown: str, number: int) -> list[DatasetProblem]:
    """The errors of one label line, as the TypeScript reader finds them (its warnings are not errors here)."""

    def problem(code: str, text: str) -> DatasetProblem:
        return DatasetProblem(code, shown, f"{where}: {text}", number)

    count = len(fields)
    if count != 5 and (count < 7 or count % 2 == 0):
        return [
            problem(
                "wrong-field-count",
                f"{count} values, expected 5 (class x_center y_center width height) "
                "or a polygon (class x1 y1 x2 y2 x3 y3 ...)",
            )
        ]
    if not all(_NUMBER.match(f) for f in fields):
        return [problem("non-numeric-field", f"not all values are numbers: {' '.join(fields)!r}")]
    problems: list[DatasetProblem] = []
    cls = float(fields[0])
    allowed = f"0..{nc - 1}" if nc else "none (data.yaml has no names)"
    out_of_range = problem(
        "class-out-of-range",
        f"class id {fields[0]} is not a class of data.yaml (ids {allowed}); fix the id or add the class to 'names'",
    )
    if not _INTEGER.match(fields[0]) and not (cls.is_integer() and cls >= 0):
        if cls < 0:
            problems.append(out_of_range)
        else:
            problems.append(problem("non-integer-class", f"class id {fields[0]} is not a whole number"))
    elif cls >= nc:
        problems.append(out_of_range)
    coords = [float(f) for f in fields[1:]]
    bad = [f for f, v in zip(fields[1:], coords, strict=True) if not -COORD_TOLERANCE <= v <= 1 + COORD_TOLERANCE]
    if bad:
        problems.append(
            problem(
                "coordinate-out-of-range",
                f"coordinate(s) {', '.join(bad)} outside 0..1; YOLO labels are normalized by the image width and height",
            )
        )
    if count == 5 and (coords[2] <= 0 or coords[3] <= 0):
        problems.append(problem("non-positive-size", f"the box has width {fields[3]} and height {fields[4]}; both must be > 0"))
    return problems


def _check_label_file(label: Path, nc: int, shown: str, problems: list[DatasetProblem]) -> int:
    """Check one label file; return its number of boxes (0 for an empty file: a background image)."""
    try:
        text = label.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(DatasetProblem("unreadable-file", shown, f"{shown}: cannot be read as UTF-8 text ({e})"))
        return 0
    objects = 0
    first: dict[str, int] = {}  # "box" / "polygon" -> the first line of that kind without an error
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        fields = line.split()
        if not fields:
            continue
        line_problems = _check_line(fields, nc, f"{shown}:{number}", shown, number)
        problems += line_problems
        if len(fields) == 5 or (len(fields) >= 7 and len(fields) % 2 == 1):
            objects += 1
        if not line_problems:
            first.setdefault("box" if len(fields) == 5 else "polygon", number)
    if len(first) == 2:
        problems.append(
            DatasetProblem(
                "mixed-label-format",
                shown,
                f"{shown}: mixes box lines (5 values) and polygon lines; use one kind per file "
                f"(first box on line {first['box']}, first polygon on line {first['polygon']})",
                max(first.values()),
            )
        )
    return objects


def _pil_open() -> Callable[..., Image.Image]:
    """PIL's own Image.open. Importing Ultralytics replaces it with a wrapper that, on a file PIL cannot identify,
    pip-installs pi-heif and retries: a corrupt image must be reported here, not trigger a package install.
    Without Ultralytics imported, Image.open is PIL's own (importing it only to undo its patch costs seconds)."""
    if "ultralytics.utils.patches" not in sys.modules:
        return Image.open
    from ultralytics.utils import patches

    return getattr(patches, "_image_open", Image.open)


def _check_image(image: Path, opener: Callable[..., Image.Image]) -> tuple[str, str] | None:
    """None when the image is usable, else (problem code, why not)."""
    entry = CONTRACT.images.get(image.suffix[1:].lower())
    if entry is not None and entry.refusal is not None:
        return "unsupported-image-format", f"cannot be trained on here: {entry.refusal}; convert it to JPEG or PNG"
    try:
        with opener(image) as im:
            im.verify()  # reads the whole file structure without decoding pixels
            width, height = im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return "corrupt-image", f"cannot be read as an image ({type(e).__name__}: {e}); re-export or remove it"
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        return "image-too-small", f"is {width}x{height} pixels; Ultralytics needs at least {MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE}"
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


def check_split(
    layout: DatasetLayout, name: str, extensions: frozenset[str], problems: list[DatasetProblem]
) -> SplitReport:
    report = SplitReport(name=name, image_dirs=layout.split_dirs[name])
    nc = len(layout.names)
    for image_dir in report.image_dirs:
        images = _list_images(image_dir, extensions)
        owner: dict[Path, Path] = {}  # label file -> the image that reads it
        for image in images:
            label = label_path_for(image)
            if label in owner:  # a.jpg and a.png: Ultralytics cannot tell whose boxes the label file holds
                problems.append(
                    DatasetProblem(
                        "duplicate-stem",
                        layout.shown(image),
                        f"{layout.shown(image)}: has the same name before the extension as "
                        f"{owner[label].name}, so both would use the labels in {layout.shown(label)}; rename one",
                    )
                )
                report.image_bytes += image.stat().st_size
                continue
            owner[label] = image
            has_label = label.is_file()
            report.images.append((image_dir, image, label if has_label else None))
            report.image_bytes += image.stat().st_size
            count = _check_label_file(label, nc, layout.shown(label), problems) if has_label else 0
            report.boxes += count
            report.backgrounds += count == 0
        for orphan in _orphan_labels(image_dir, set(owner)):
            shown = layout.shown(orphan)
            problems.append(
                DatasetProblem(
                    "label-without-image",
                    shown,
                    f"{shown}: label file with no image (expected an image named "
                    f"{orphan.stem}.<jpg|png|...> in {layout.shown(image_dir)}); add the image or delete the label",
                )
            )
    if not report.images and name != "test":  # an empty test split is only a warning of the validator
        shown_dirs = ", ".join(layout.shown(d) for d in report.image_dirs)
        problems.append(
            DatasetProblem(
                "empty-split",
                layout.shown(layout.yaml_file),
                f"split '{name}' ({shown_dirs}) has no images (formats: {', '.join(sorted(extensions))})",
            )
        )
    return report


def check_images(layout: DatasetLayout, reports: list[SplitReport], problems: list[DatasetProblem]) -> None:
    images = [image for report in reports for _, image, _ in report.images]
    opener = _pil_open()
    # PIL's verify is I/O bound and releases the GIL while reading, so threads scale on a large dataset.
    with ThreadPoolExecutor(max_workers=min(32, (os.cpu_count() or 1) * 4)) as pool:
        for image, found in zip(images, pool.map(lambda i: _check_image(i, opener), images), strict=True):
            if found:
                code, message = found
                problems.append(DatasetProblem(code, layout.shown(image), f"{layout.shown(image)}: {message}"))


def check_dataset(layout: DatasetLayout) -> DatasetReport:
    """Check all splits of the layout; raise ProblemList with every problem, or return the counts."""
    extensions = image_extensions()
    problems: list[DatasetProblem] = []
    reports = {name: check_split(layout, name, extensions, problems) for name in layout.split_dirs}
    check_images(layout, list(reports.values()), problems)
    if problems:
        raise ProblemList(
            f"The dataset in {layout.root} has bad files",
            problems,
            "correct or remove the files listed, then upload the dataset again",
        )
    return DatasetReport(layout=layout, splits=reports)
