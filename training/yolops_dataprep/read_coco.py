"""COCO object-detection JSON: `images`, `annotations` with `bbox` [x, y, width, height] in pixels, `categories`.

The input is the annotation file, or the export's folder holding exactly one `.json` (at its top or in
annotations/). Images are found by `file_name` under the export's folder (resolve.py).

- Class names are in category-id order (ids may be sparse and unordered: 1, 3, 7 become classes 0, 1, 2).
  A category that only groups others (its name is another category's `supercategory`, and no annotation uses
  it, as Roboflow exports write) is left out, so it does not become an empty class.
- `iscrowd: 1` regions are skipped (crowd_annotation warning); an annotation with only a `segmentation`
  (no bbox) is skipped (segmentation_only warning); an export where no annotation has a bbox is a
  segmentation export (error).
- An image listed twice by file name with the same boxes is kept once (duplicate_image warning), with other
  boxes it is conflicting_labels (error); two images with one id is duplicate_image (error).
- Boxes are checked and clipped by boxes.checked_box; images without annotations are background images.

Ultralytics' own converter (ultralytics.data.converter.convert_coco) is not used: it maps classes as
`category_id - 1` (sparse ids give wrong or negative classes), neither clips nor reports boxes, fails with a
KeyError on an annotation without bbox or with an unknown image id, and appends the labels of a file name
listed twice. Its box arithmetic is the same as here, which a test checks on a clean export.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from .boxes import checked_box
from .collect import ImageCollector
from .json_file import UNREADABLE, read_json_file
from .problems import problem
from .records import Box, Export, LabelledImage, Problem
from .resolve import ImageResolver, locate_image, output_name

FORMAT = "coco"


def find_annotation_file(input: Path, problems: list[Problem]) -> Path | None:
    if input.is_file():
        return input
    if not input.is_dir():
        problems.append(problem("missing_annotations", str(input), "does not exist"))
        return None
    # Dot files are not exports (the upload marker .yolops-upload.json is JSON too).
    candidates = [p for p in sorted(input.glob("*.json")) + sorted((input / "annotations").glob("*.json")) if not p.name.startswith(".")]
    top = [p for p in candidates if p.parent == input]
    candidates = top or candidates
    if len(candidates) == 1:
        return candidates[0]
    found = ", ".join(p.name for p in candidates) or "none"
    problems.append(
        problem(
            "missing_annotations",
            str(input),
            f"needs exactly one COCO .json file at its top or in annotations/ (found {found})",
            fix="give the annotation file itself as the input, or keep one .json in the folder",
        )
    )
    return None


def export_folder(annotation_file: Path) -> Path:
    """Where the images are looked for: the file's folder, or the folder above an annotations/ folder."""
    parent = annotation_file.parent
    return parent.parent if parent.name == "annotations" else parent


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load(file: Path, problems: list[Problem]) -> dict[str, Any] | None:
    data = read_json_file(file, file.name, problems)
    if data is UNREADABLE:
        return None
    if not isinstance(data, dict):
        problems.append(
            problem(
                "malformed_file",
                file.name,
                f"is a JSON {type(data).__name__}, not a COCO object with images, annotations and categories",
                fix="give the COCO annotation file (a Label Studio export is a list: use --from labelstudio)",
            )
        )
        return None
    for key in ("images", "annotations", "categories"):
        if key in data and not isinstance(data[key], list):
            problems.append(problem("malformed_file", f"{file.name}: {key}", f"must be a list, not {type(data[key]).__name__}"))
            return None
    return data


def _categories(name: str, data: dict[str, Any], problems: list[Problem]) -> tuple[dict[Any, int], list[str]] | None:
    """(category id -> class index, class names), or None when the categories are unusable."""
    raw = data.get("categories") or []
    used = {a.get("category_id") for a in data.get("annotations") or [] if isinstance(a, dict)}
    categories: dict[Any, str] = {}
    for i, category in enumerate(raw):
        where = f"{name}: categories[{i}]"
        if not isinstance(category, dict) or not _number(category.get("id")) or not isinstance(category.get("name"), str):
            problems.append(problem("malformed_file", where, "needs a numeric id and a name"))
            continue
        if category["id"] in categories:
            problems.append(problem("duplicate_category", where, f"id {category['id']} is used by another category"))
            continue
        categories[category["id"]] = category["name"].strip()
    groups = {c.get("supercategory") for c in raw if isinstance(c, dict)}
    kept = {i: n for i, n in categories.items() if not (n in groups and i not in used and len(categories) > 1)}
    if not kept:
        problems.append(problem("no_categories", name, "has no categories"))
        return None
    names: dict[str, Any] = {}
    for category_id in sorted(kept):
        other = names.setdefault(kept[category_id], category_id)
        if other != category_id:
            problems.append(
                problem("duplicate_category", f"{name}: categories", f"ids {other} and {category_id} are both named {kept[category_id]!r}")
            )
    if any(p.severity == "error" for p in problems if p.code in ("duplicate_category", "malformed_file")):
        return None
    ids = sorted(kept)
    return {category_id: index for index, category_id in enumerate(ids)}, [kept[i] for i in ids]


def read(input: Path) -> Export:
    problems: list[Problem] = []
    export = Export(format=FORMAT, images=[], class_names=[], problems=problems)
    file = find_annotation_file(input, problems)
    data = _load(file, problems) if file else None
    if file is None or data is None:
        return export
    name = file.name
    images_raw = data.get("images") or []
    annotations = data.get("annotations") or []
    if not images_raw and not annotations and not data.get("categories"):
        problems.append(problem("empty_export", name, "has no images, annotations or categories"))
        return export
    if not images_raw:
        problems.append(problem("no_images", name, "lists no images"))
    categories = _categories(name, data, problems)
    if not images_raw or categories is None:
        return export
    mapping, export.class_names = categories

    with_bbox = sum(1 for a in annotations if isinstance(a, dict) and "bbox" in a)
    if annotations and with_bbox == 0 and any(isinstance(a, dict) and a.get("segmentation") for a in annotations):
        problems.append(problem("segmentation_export", name, f"none of its {len(annotations)} annotations has a bbox"))
        return export

    # Images by id, in the file's order.
    by_id: dict[Any, dict[str, Any]] = {}
    order: list[Any] = []
    for i, image in enumerate(images_raw):
        where = f"{name}: images[{i}]"
        if not isinstance(image, dict) or "id" not in image:
            problems.append(problem("malformed_file", where, "needs an id and a file_name"))
            continue
        if image["id"] in by_id:
            problems.append(problem("duplicate_image", where, f"id {image['id']!r} is also images[{by_id[image['id']]['_index']}]"))
            continue
        by_id[image["id"]] = {**image, "_index": i}
        order.append(image["id"])

    boxes_raw: dict[Any, list[tuple[str, int, list[float]]]] = defaultdict(list)
    for i, annotation in enumerate(annotations):
        where = f"{name}: annotations[{i}]" + (f" (id {annotation['id']})" if isinstance(annotation, dict) and "id" in annotation else "")
        if not isinstance(annotation, dict):
            problems.append(problem("malformed_file", where, "is not an object"))
            continue
        if annotation.get("image_id") not in by_id:
            problems.append(problem("missing_image", where, f"refers to image id {annotation.get('image_id')!r}, which images does not list"))
            continue
        if annotation.get("category_id") not in mapping:
            problems.append(problem("unknown_category", where, f"category_id {annotation.get('category_id')!r} is not in categories"))
            continue
        if annotation.get("iscrowd"):
            problems.append(problem("crowd_annotation", where, "is a crowd region (iscrowd: 1) and was skipped"))
            continue
        bbox = annotation.get("bbox")
        if bbox is None:
            if annotation.get("segmentation"):
                problems.append(problem("segmentation_only", where, "has a segmentation but no bbox and was skipped"))
            else:
                problems.append(problem("malformed_file", where, "has no bbox"))
            continue
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(_number(v) for v in bbox)):
            problems.append(problem("malformed_file", where, f"bbox {bbox!r} is not [x, y, width, height] in pixels"))
            continue
        boxes_raw[annotation["image_id"]].append((where, mapping[annotation["category_id"]], [float(v) for v in bbox]))

    resolver = ImageResolver(export_folder(file))
    collected = ImageCollector(export)
    for image_id in order:
        image = by_id[image_id]
        where = f"{name}: images[{image['_index']}] ({image.get('file_name')!r})"
        recorded = (image.get("width"), image.get("height"))
        size = recorded if all(isinstance(v, int) and not isinstance(v, bool) for v in recorded) else None
        located = locate_image(resolver, [str(image.get("file_name") or "")], where, size, problems)  # type: ignore[arg-type]
        if located is None:
            continue
        path, (width, height) = located
        boxes: list[Box] = []
        for box_where, class_index, (x, y, w, h) in boxes_raw.get(image_id, []):
            box = checked_box(class_index, (x, y, x + w, y + h), (width, height), box_where, problems)
            if box is not None:
                boxes.append(box)
        collected.add(LabelledImage(source=path, width=width, height=height, boxes=boxes, where=where, output_name=output_name(path, resolver.folder)))
    return export

