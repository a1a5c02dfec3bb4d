"""Pascal VOC XML: one file per image, `Annotations/*.xml` (images in `JPEGImages/`) or the XML files beside
the images. The input is the export's folder, or one XML file.

- The image is the record's `filename` (looked for beside the XML, in JPEGImages/, then under the export's
  folder and its images/ by resolve.py), else its `path`; without either, the XML's own name with an image
  extension.
- `size/width` and `size/height` must be the image file's (size_mismatch otherwise); a missing or zero size
  takes the file's.
- Coordinates. The VOC devkit writes whole 1-based pixel indices, both corners inclusive: a box over the whole
  of a 500-pixel-wide image is xmin 1, xmax 500. In the continuous pixel coordinates of the other formats that
  is x 0..500, so x_min = xmin - 1 and x_max = xmax. Exports that write fractional coordinates (CVAT and
  other tools through datumaro) already use continuous 0-based coordinates: when any coordinate of the export
  is fractional, the values are taken as they are. (Ultralytics' VOC download script subtracts 1 from both
  corners, which shifts every box by half a pixel to the left and top and makes it a pixel narrower.)
- `difficult` objects are kept as ordinary boxes: YOLO training has no "ignore" regions, and dropping them
  would teach the model that those objects are background. One difficult_object warning per export says how
  many there were. `truncated` and `occluded` describe ordinary boxes and change nothing.
- Class names: in the order of a `classes.txt` in the folder when there is one (a name not in it is an
  unknown_label error); else sorted by name, so the same export always gives the same class ids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .boxes import checked_box
from .collect import ImageCollector
from .images import image_extensions
from .problems import problem
from .records import Box, Export, LabelledImage, Problem
from .resolve import ImageResolver, locate_image, output_name, shown_path

FORMAT = "voc"
CLASSES_FILE = "classes.txt"


@dataclass
class _Object:
    where: str
    name: str
    corners: tuple[float, float, float, float]
    difficult: bool


@dataclass
class _Record:
    file: Path
    where: str
    references: list[str]
    size: tuple[int, int] | None
    objects: list[_Object]


def annotation_files(input: Path) -> list[Path]:
    if input.is_file():
        return [input]
    folder = input / "Annotations" if (input / "Annotations").is_dir() else input
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".xml" and p.is_file())


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _integer(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def _parse(file: Path, shown: str, problems: list[Problem]) -> _Record | None:
    try:
        root = ET.parse(file).getroot()
    except ET.ParseError as e:
        line, column = e.position
        problems.append(problem("malformed_file", f"{shown}:{line}", f"is not well-formed XML ({e})"))
        return None
    except OSError as e:
        problems.append(problem("malformed_file", shown, f"cannot be read ({e})"))
        return None
    if root.tag != "annotation":
        problems.append(problem("malformed_file", shown, f"has the root element <{root.tag}>, not a VOC <annotation>"))
        return None
    size_element = root.find("size")
    width, height = _integer(_text(size_element, "width")), _integer(_text(size_element, "height"))
    size = (width, height) if width and height else None
    filename, path = _text(root, "filename"), _text(root, "path")
    references = [f"{file.parent.name}/{filename}", f"JPEGImages/{filename}", filename] if filename else []
    references += [path] if path else []
    if not references:
        stem = file.with_suffix("").name
        references = [f"{stem}.{ext}" for ext in sorted(image_extensions())]
    objects: list[_Object] = []
    for i, element in enumerate(root.iter("object")):
        where = f"{shown}: object[{i}]"
        name = _text(element, "name")
        box = element.find("bndbox")
        if not name:
            problems.append(problem("malformed_file", where, "has no <name>"))
            continue
        if box is None:
            problems.append(problem("segmentation_only", where, f"({name!r}) has no <bndbox> and was skipped"))
            continue
        try:
            corners = tuple(float(_text(box, tag)) for tag in ("xmin", "ymin", "xmax", "ymax"))
        except ValueError:
            problems.append(problem("malformed_file", where, "<bndbox> needs numeric xmin, ymin, xmax and ymax"))
            continue
        objects.append(_Object(where, name, corners, _text(element, "difficult") in ("1", "true")))  # type: ignore[arg-type]
    return _Record(file, shown, references, size, objects)


def _class_names(folder: Path, records: list[_Record]) -> list[str]:
    listed = folder / CLASSES_FILE
    if listed.is_file():
        return [line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted({o.name for r in records for o in r.objects})


def read(input: Path) -> Export:
    problems: list[Problem] = []
    export = Export(format=FORMAT, images=[], class_names=[], problems=problems)
    folder = input if input.is_dir() else input.parent
    if folder.name == "Annotations":
        folder = folder.parent
    if not input.exists():
        problems.append(problem("missing_annotations", str(input), "does not exist"))
        return export
    files = annotation_files(input)
    if not files:
        problems.append(problem("empty_export", str(input), "holds no VOC .xml annotation files (looked in Annotations/ and the folder)"))
        return export
    records = [r for r in (_parse(f, shown_path(f, folder), problems) for f in files) if r is not None]
    export.class_names = _class_names(folder, records)
    index = {name: i for i, name in enumerate(export.class_names)}
    # The devkit's 1-based inclusive indices, unless the export writes fractions (see the module's text).
    shift = 0.0 if any(v != int(v) for r in records for o in r.objects for v in o.corners) else 1.0
    difficult: list[str] = []
    collected = ImageCollector(export)
    resolver = ImageResolver(folder)
    for record in records:
        located = locate_image(resolver, record.references, record.where, record.size, problems)
        if located is None:
            continue
        path, (width, height) = located
        boxes: list[Box] = []
        for obj in record.objects:
            if obj.name not in index:
                problems.append(problem("unknown_label", obj.where, f"label {obj.name!r} is not in {CLASSES_FILE}"))
                continue
            if obj.difficult:
                difficult.append(obj.where)
            x_min, y_min, x_max, y_max = obj.corners
            box = checked_box(index[obj.name], (x_min - shift, y_min - shift, x_max, y_max), (width, height), obj.where, problems)
            if box is not None:
                boxes.append(box)
        collected.add(LabelledImage(source=path, width=width, height=height, boxes=boxes, where=record.where, output_name=_output_name(path, folder)))
    if difficult:
        problems.append(problem("difficult_object", difficult[0], f"{len(difficult)} object(s) marked difficult, the first here"))
    return export



def _output_name(path: Path, folder: Path) -> str:
    """JPEGImages/ is VOC's image folder, not part of the image's name."""
    try:
        return path.relative_to(folder / "JPEGImages").as_posix()
    except ValueError:
        return output_name(path, folder)
