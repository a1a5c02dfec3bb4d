"""Label Studio JSON exports: a list of tasks, each naming its image in `data` and holding annotations whose
`rectanglelabels` results give boxes in percent of the image.

    [{"id": 7, "data": {"image": "/data/upload/3/1a2b3c4d-street.jpg"},
      "annotations": [{"id": 12, "was_cancelled": false, "created_at": "...", "updated_at": "...",
                       "result": [{"type": "rectanglelabels", "from_name": "label", "to_name": "image",
                                   "original_width": 640, "original_height": 480,
                                   "value": {"x": 10.5, "y": 20, "width": 30, "height": 40, "rotation": 0,
                                             "rectanglelabels": ["car"]}}]}],
      "predictions": []}]

The input is the export file, or the export's folder holding `.json` files that are lists (several are read one
after the other). The JSON-MIN export (one flat record per task: the data fields, then each control's results
under its name) is read too. Images are found by their URL under the export's folder (resolve.py): uploads
(`/data/upload/<project>/<hash>-name.jpg`; the file may also be there under its original name, without the
8-hex-digit prefix Label Studio adds), local files (`/data/local-files/?d=dir/name.jpg`), `s3://`, `gs://`, http.

- The annotation used is the latest (updated_at, then created_at, then id) that was not cancelled; tasks with
  several say so in one warning (several_labels). A task whose annotations were all cancelled, or that has none, was never
  labelled: skipped with a warning (it is not a background image). `predictions` (pre-annotations from a
  model) are not labels: a warning says how many tasks had only those.
- A rectangle's pixels are its percentages times original_width/original_height (the image's header when the
  result has none, and checked against it when it has: size_mismatch). A rotated rectangle (rotation != 0,
  degrees clockwise around its top-left corner) becomes the axis-aligned box around it, with a warning.
- `<Rectangle>` with a separate `<Labels>` control writes two results with one id ("rectangle" and "labels");
  they are joined into one box.
- Polygons, brushes and keypoints are not boxes: skipped (segmentation_only); an export with no rectangle at
  all is segmentation_export. A rectangle with no label is unknown_label.
- Class names are the labels used, sorted by name (the export does not carry the project's label list).
- The same image in two tasks: kept once when the boxes agree, conflicting_labels when not.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .boxes import checked_box
from .collect import ImageCollector
from .json_file import UNREADABLE, read_json_file
from .problems import problem
from .records import Box, Export, LabelledImage, Problem
from .resolve import ImageResolver, locate_image, output_name, reference_parts, shown_path

FORMAT = "labelstudio"
RECTANGLE_TYPES = ("rectanglelabels", "rectangle")
SHAPE_TYPES = ("polygonlabels", "polygon", "brushlabels", "brush", "keypointlabels", "keypoint", "ellipselabels", "ellipse")
# Label Studio prefixes an uploaded file's name with 8 hex digits and a dash ("1a2b3c4d-street.jpg").
UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-(.+)$")
# Where a task's image may be, in data, when several fields are there.
IMAGE_KEYS = ("image", "img", "image_url", "url")


@dataclass
class _Task:
    where: str
    reference: str | None
    size: tuple[int, int] | None = None
    # (where, label, (x, y, width, height) in percent, rotation in degrees)
    boxes: list[tuple[str, str, tuple[float, float, float, float], float]] = field(default_factory=list)


@dataclass
class _Tally:
    tasks: int = 0
    rectangles: int = 0
    shapes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    others: set[str] = field(default_factory=set)
    several: list[str] = field(default_factory=list)
    predictions: list[str] = field(default_factory=list)
    rotated: list[str] = field(default_factory=list)


def find_exports(input: Path, problems: list[Problem]) -> list[Path]:
    if input.is_file():
        return [input]
    if not input.is_dir():
        problems.append(problem("missing_annotations", str(input), "does not exist"))
        return []
    found = [p for p in sorted(input.glob("*.json")) if _first_char(p) == "["]
    if not found:
        problems.append(
            problem(
                "missing_annotations",
                str(input),
                "holds no Label Studio JSON export (a .json file holding a list of tasks)",
                fix="export the project as JSON (or JSON-MIN) from Label Studio and put the file in the folder",
            )
        )
    return found


def _first_char(path: Path) -> str:
    try:
        with path.open("r", encoding="utf-8-sig") as f:
            for chunk in iter(lambda: f.read(4096), ""):
                stripped = chunk.lstrip()
                if stripped:
                    return stripped[0]
    except (OSError, UnicodeDecodeError):
        return ""
    return ""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _image_reference(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    for key in IMAGE_KEYS:
        if isinstance(data.get(key), str) and data[key].strip():
            return data[key]
    strings = [v for v in data.values() if isinstance(v, str) and v.strip()]
    return strings[0] if len(strings) == 1 else None


def _latest(annotations: list[dict[str, Any]]) -> dict[str, Any]:
    def key(a: dict[str, Any]) -> tuple[str, str, float]:
        ident = a.get("id")
        return (str(a.get("updated_at") or ""), str(a.get("created_at") or ""), float(ident) if _number(ident) else -1.0)

    return max(annotations, key=key)


def rotated_corners(x: float, y: float, width: float, height: float, degrees: float) -> tuple[float, float, float, float]:
    """The axis-aligned box around a width x height rectangle whose top-left corner is (x, y), turned `degrees`
    clockwise around that corner (image coordinates, y downwards), as Label Studio draws it. In pixels."""
    t = math.radians(degrees)
    cos, sin = math.cos(t), math.sin(t)
    xs = (x, x + width * cos, x - height * sin, x + width * cos - height * sin)
    ys = (y, y + width * sin, y + height * cos, y + width * sin + height * cos)
    return min(xs), min(ys), max(xs), max(ys)


def _results(task: dict[str, Any], where: str, tally: _Tally, problems: list[Problem]) -> list[dict[str, Any]] | None:
    """The results of the annotation to use, or None when the task was never labelled (a problem is added)."""
    annotations = task.get("annotations", task.get("completions"))
    if not isinstance(annotations, list):
        problems.append(problem("malformed_file", where, "has no annotations list"))
        return None
    done = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled") and not a.get("skipped")]
    if not done:
        if annotations:
            detail = f"its {len(annotations)} annotation(s) were all cancelled"
        elif task.get("predictions"):
            detail = "it has model predictions only, no annotation (predictions are not labels)"
        else:
            detail = "it has no annotation"
        problems.append(
            problem("unlabelled_image", where, f"{detail}; skipped", fix="label the task in Label Studio and export again")
        )
        return None
    chosen = _latest(done)
    if len(done) > 1:
        tally.several.append(f"{where} (annotation {chosen.get('id')} of {len(done)})")
    results = chosen.get("result")
    if not isinstance(results, list):
        problems.append(problem("malformed_file", where, f"annotation {chosen.get('id')} has no result list"))
        return None
    return results


def _add_results(results: list[Any], item: _Task, tally: _Tally, problems: list[Problem]) -> None:
    # A <Rectangle> drawn with a separate <Labels> control: two results sharing one id.
    labels_by_id = {
        r.get("id"): r.get("value", {}).get("labels")
        for r in results
        if isinstance(r, dict) and r.get("type") == "labels" and isinstance(r.get("value"), dict)
    }
    for i, result in enumerate(results):
        where = f"{item.where} result[{i}]" + (f" ({result.get('id')})" if isinstance(result, dict) and result.get("id") else "")
        if not isinstance(result, dict):
            problems.append(problem("malformed_file", where, "is not an object"))
            continue
        kind = result.get("type")
        value = result.get("value")
        if kind in SHAPE_TYPES:
            tally.shapes[kind] += 1
            problems.append(problem("segmentation_only", where, f"is a {kind} shape, not a rectangle; skipped"))
            continue
        if kind not in RECTANGLE_TYPES:
            if isinstance(kind, str) and kind != "labels":
                tally.others.add(kind)
            continue
        if not isinstance(value, dict) or not all(_number(value.get(k)) for k in ("x", "y", "width", "height")):
            problems.append(problem("malformed_file", where, "needs value.x, y, width and height (percent of the image)"))
            continue
        names = value.get("rectanglelabels") if kind == "rectanglelabels" else labels_by_id.get(result.get("id"))
        if not isinstance(names, list) or not [n for n in names if isinstance(n, str) and n.strip()]:
            problems.append(
                problem("unknown_label", where, "is a rectangle without a label", fix="give the rectangle a label in Label Studio")
            )
            continue
        tally.rectangles += 1
        size = (result.get("original_width"), result.get("original_height"))
        if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size):
            if item.size is not None and item.size != size:
                problems.append(
                    problem(
                        "size_mismatch",
                        where,
                        f"records the image as {size[0]}x{size[1]} pixels, another result as {item.size[0]}x{item.size[1]}",
                    )
                )
            item.size = item.size or size  # type: ignore[assignment]
        rotation = float(value["rotation"]) if _number(value.get("rotation")) else 0.0
        if rotation % 360:
            tally.rotated.append(where)
        percent = (float(value["x"]), float(value["y"]), float(value["width"]), float(value["height"]))
        for name in names:
            if isinstance(name, str) and name.strip():
                item.boxes.append((where, name.strip(), percent, rotation))


def _task_from_full(task: dict[str, Any], where: str, tally: _Tally, problems: list[Problem]) -> _Task | None:
    item = _Task(where=where, reference=_image_reference(task.get("data")))
    if task.get("predictions"):
        tally.predictions.append(where)
    results = _results(task, where, tally, problems)
    if results is None:
        return None
    _add_results(results, item, tally, problems)
    return item


def _is_min(task: dict[str, Any]) -> bool:
    return "data" not in task and "annotations" not in task and "completions" not in task


def _task_from_min(task: dict[str, Any], where: str, tally: _Tally, problems: list[Problem]) -> _Task | None:
    """JSON-MIN: the task's data fields at the top, each control's results under its name, values flattened
    (x, y, width, height, rotation, rectanglelabels, original_width, original_height in one object)."""
    results: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    for key, value in task.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for v in value:
                kind = next((k for k in RECTANGLE_TYPES + SHAPE_TYPES if k in v), None)
                if kind is None and all(k in v for k in ("x", "y", "width", "height")):
                    kind = "rectangle"
                results.append(
                    {
                        "type": kind or "other",
                        "value": v,
                        "original_width": v.get("original_width"),
                        "original_height": v.get("original_height"),
                    }
                )
        elif key not in ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement"):
            fields[key] = value
    item = _Task(where=where, reference=_image_reference(fields))
    if not results and not any(k in task for k in ("annotation_id", "annotator")):
        problems.append(problem("unlabelled_image", where, "it has no annotation; skipped", fix="label the task in Label Studio and export again"))
        return None
    # A JSON-MIN rectangle drawn with <Rectangle> + <Labels> carries its names in "labels".
    for r in results:
        if r["type"] == "rectangle" and isinstance(r["value"].get("labels"), list):
            r["type"], r["value"] = "rectanglelabels", {**r["value"], "rectanglelabels": r["value"]["labels"]}
    _add_results(results, item, tally, problems)
    return item


def _load(file: Path, label: str, problems: list[Problem]) -> list[Any] | None:
    data = read_json_file(file, label, problems)
    if data is UNREADABLE:
        return None
    if not isinstance(data, list):
        problems.append(
            problem(
                "malformed_file",
                label,
                f"is a JSON {type(data).__name__}, not a Label Studio export (a list of tasks)",
                fix="export the project as JSON from Label Studio (a COCO file is an object: use --from coco)",
            )
        )
        return None
    return data


def _upload_name_variants(reference: str) -> list[str]:
    """The reference, then the same path with Label Studio's upload prefix taken off the file name."""
    parts = reference_parts(reference)
    match = UPLOAD_PREFIX.match(parts[-1]) if parts else None
    return [reference] + (["/".join(parts[:-1] + [match.group(1)])] if match else [])


def read(input: Path) -> Export:
    problems: list[Problem] = []
    export = Export(format=FORMAT, images=[], class_names=[], problems=problems)
    files = find_exports(input, problems)
    if not files:
        return export
    folder = input if input.is_dir() else input.parent
    tally = _Tally()
    items: list[_Task] = []
    loaded = 0
    for file in files:
        label = shown_path(file, folder)
        data = _load(file, label, problems)
        if data is None:
            continue
        loaded += 1
        for i, task in enumerate(data):
            tally.tasks += 1
            ident = task.get("id") if isinstance(task, dict) else None
            where = f"{label}: task {ident}" if ident is not None else f"{label}: [{i}]"
            if not isinstance(task, dict):
                problems.append(problem("malformed_file", where, "is not an object"))
                continue
            item = (_task_from_min if _is_min(task) else _task_from_full)(task, where, tally, problems)
            if item is not None:
                items.append(item)
    names = ", ".join(shown_path(f, folder) for f in files)
    if loaded == 0:
        return export
    if tally.tasks == 0:
        problems.append(problem("empty_export", names, "has no tasks"))
        return export
    if tally.rectangles == 0 and (tally.shapes or tally.others):
        kinds = ", ".join(sorted(set(tally.shapes) | tally.others))
        # One error for the whole export instead of one warning per shape.
        problems[:] = [p for p in problems if p.code != "segmentation_only"]
        problems.append(
            problem("segmentation_export", names, f"holds {kinds} results and no rectangles (rectanglelabels)")
        )
        return export
    _summaries(tally, problems)

    class_names = sorted({box[1] for item in items for box in item.boxes})
    indices = {name: i for i, name in enumerate(class_names)}
    export.class_names = class_names
    resolver = ImageResolver(folder)
    collected = ImageCollector(export)
    for item in items:
        references = _upload_name_variants(item.reference) if item.reference else []
        located = locate_image(resolver, references, item.where, item.size, problems)
        if located is None:
            continue
        path, size = located
        width, height = size
        boxes: list[Box] = []
        for box_where, name, (x, y, w, h), rotation in item.boxes:
            px = (x * width / 100, y * height / 100, w * width / 100, h * height / 100)
            corners = rotated_corners(*px, rotation) if rotation % 360 else (px[0], px[1], px[0] + px[2], px[1] + px[3])
            box = checked_box(indices[name], corners, size, box_where, problems)
            if box is not None:
                boxes.append(box)
        collected.add(LabelledImage(
            source=path, width=width, height=height, boxes=boxes, where=item.where, output_name=output_name(path, folder)
        ))
    return export


def _summaries(tally: _Tally, problems: list[Problem]) -> None:
    """One warning per kind of note, naming the first few places: a large export stays readable."""

    def first(places: list[str]) -> str:
        return ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")

    if tally.several:
        problems.append(
            problem(
                "several_labels",
                tally.several[0].split(" (")[0],
                f"{len(tally.several)} task(s) have several annotations; the latest of each was used: {first(tally.several)}",
            )
        )
    if tally.rotated:
        problems.append(
            problem(
                "rotated_box",
                tally.rotated[0],
                f"{len(tally.rotated)} rotated rectangle(s) became the axis-aligned boxes around them: {first(tally.rotated)}",
            )
        )
    if tally.predictions:
        problems.append(
            problem(
                "predictions_ignored",
                tally.predictions[0],
                f"{len(tally.predictions)} task(s) carry model predictions; only annotations are labels, the predictions "
                f"were not used: {first(tally.predictions)}",
            )
        )
