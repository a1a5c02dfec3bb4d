"""SageMaker Ground Truth output manifests of bounding-box jobs: JSON lines, one image per line.

    {"source-ref": "s3://bucket/raw-images/b1/a.jpg",
     "boxes": {"image_size": [{"width": 640, "height": 480, "depth": 3}],
               "annotations": [{"class_id": 0, "left": 12, "top": 30, "width": 100, "height": 80}]},
     "boxes-metadata": {"class-map": {"0": "cat"}, "type": "groundtruth/object-detection",
                        "objects": [{"confidence": 0.9}], "human-annotated": "yes",
                        "creation-date": "2025-01-01T10:00:00.000000", "job-name": "labeling-job/cats"}}

The label attribute's name is the job's LabelAttributeName, so it is not fixed: a label is any key whose
`<key>-metadata` says `"type": "groundtruth/object-detection"`. The input is the manifest, or the export's
folder holding `*.manifest` files (at its top, else below it, as Ground Truth's own manifests/output/ layout
has them); several manifests are read one after the other. Images are found by `source-ref` under the export's
folder (resolve.py: the completion copies `s3://bucket/key` to `images/key`).

- Chained and adjustment jobs leave several labels on a line ("boxes", then "adjusted-boxes"): the latest by
  `creation-date` (then the later key on the line) is the one used, and one warning (several_labels) says so.
- A line whose job could not label it (its metadata has `failure-reason`, no label) or that no job labelled
  yet (an intermediate manifest) is skipped with a warning: it is not a background image, no one looked at it.
- `class-map` is per line and lists the classes of that line; the classes are the union over the manifest,
  in class-id order (ids 0 and 5 become classes 0 and 1). One id with two names, one name under two ids, or a
  `class_id` that no class-map names: class_map_mismatch.
- A manifest of another task type (semantic segmentation, classification, verification only):
  segmentation_export. The same image on two lines: kept once when the boxes agree, conflicting_labels when not.
- `image_size` is the size the boxes are in; it is checked against the image's header (size_mismatch).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .boxes import checked_box
from .collect import ImageCollector
from .problems import problem
from .records import Box, Export, LabelledImage, Problem
from .resolve import ImageResolver, locate_image, output_name, shown_path

FORMAT = "groundtruth"
DETECTION_TYPE = "groundtruth/object-detection"
METADATA_SUFFIX = "-metadata"
MANIFEST_GLOB = "*.manifest"


@dataclass
class _Line:
    """One usable line: its image reference, the label attribute used, the raw boxes and the recorded size."""

    where: str
    reference: str
    attribute: str
    size: tuple[int, int] | None
    boxes: list[tuple[str, int, tuple[float, float, float, float]]] = field(default_factory=list)


def find_manifests(input: Path, problems: list[Problem]) -> list[Path]:
    if input.is_file():
        return [input]
    if not input.is_dir():
        problems.append(problem("missing_annotations", str(input), "does not exist"))
        return []
    found = sorted(input.glob(MANIFEST_GLOB)) or sorted(input.rglob(MANIFEST_GLOB))
    if not found:
        problems.append(
            problem(
                "missing_annotations",
                str(input),
                "holds no Ground Truth output manifest (*.manifest)",
                fix="put the labeling job's output.manifest (manifests/output/output.manifest) in the folder",
            )
        )
    return found


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _when(metadata: dict[str, Any]) -> datetime | None:
    text = metadata.get("creation-date")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Ground Truth writes naive UTC times on some task types and offsets on others; compare them all as UTC.
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def _labels(record: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
    """(detection label attributes in line order, other task types on the line, a failure reason)."""
    detection: list[str] = []
    others: list[str] = []
    failure: str | None = None
    for key, metadata in record.items():
        if not key.endswith(METADATA_SUFFIX) or not isinstance(metadata, dict):
            continue
        attribute = key[: -len(METADATA_SUFFIX)]
        kind = metadata.get("type")
        if kind == DETECTION_TYPE and attribute in record:
            detection.append(attribute)
        elif isinstance(metadata.get("failure-reason"), str) and attribute not in record:
            failure = metadata["failure-reason"]
        elif isinstance(kind, str) and kind != DETECTION_TYPE:
            others.append(kind)
    return detection, others, failure


def _latest(record: dict[str, Any], attributes: list[str]) -> str:
    """The label a chain of jobs ended with: the latest creation-date, then the later key on the line."""
    order = {name: i for i, name in enumerate(attributes)}
    stamps = {name: _when(record[name + METADATA_SUFFIX]) for name in attributes}
    return max(attributes, key=lambda n: (stamps[n] or datetime.min, order[n]))


def _image_size(label: dict[str, Any]) -> tuple[int, int] | None:
    sizes = label.get("image_size")
    if isinstance(sizes, list) and sizes and isinstance(sizes[0], dict):
        width, height = sizes[0].get("width"), sizes[0].get("height")
        if isinstance(width, int) and isinstance(height, int) and not isinstance(width, bool):
            return width, height
    return None


class _ClassMap:
    """The union of the lines' class-maps: id -> name, with every disagreement reported once."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.ids: dict[str, int] = {}
        self.first: dict[int, str] = {}  # where each id was first named
        self.refused: set[int] = set()  # ids a line named against the rest: reported once, not per box

    def add(self, raw: Any, where: str, problems: list[Problem]) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            problems.append(problem("malformed_file", where, "its class-map is not an object of id: name"))
            return
        for key, name in raw.items():
            try:
                class_id = int(key)
            except (TypeError, ValueError):
                problems.append(problem("malformed_file", where, f"class-map key {key!r} is not a class id"))
                continue
            if not isinstance(name, str) or not name.strip():
                problems.append(problem("malformed_file", where, f"class-map names class {class_id} {name!r}"))
                continue
            name = name.strip()
            known = self.names.get(class_id)
            if known is not None and known != name:
                problems.append(
                    problem(
                        "class_map_mismatch",
                        where,
                        f"class-map names class {class_id} {name!r}, but {self.first[class_id]} names it {known!r}",
                    )
                )
                self.refused.add(class_id)
                continue
            other = self.ids.get(name)
            if other is not None and other != class_id:
                problems.append(
                    problem(
                        "class_map_mismatch",
                        where,
                        f"class-map gives {name!r} id {class_id}, but {self.first[other]} gives it id {other}",
                    )
                )
                self.refused.add(class_id)
                continue
            if known is None:
                self.names[class_id], self.ids[name], self.first[class_id] = name, class_id, where

    def indices(self) -> dict[int, int]:
        """Class id -> class index, in class-id order (the order of the job's label categories)."""
        return {class_id: index for index, class_id in enumerate(sorted(self.names))}


def _read_lines(
    manifest: Path, label: str, problems: list[Problem], class_map: _ClassMap, tally: dict[str, Any]
) -> list[_Line]:
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(problem("malformed_file", label, f"cannot be read as UTF-8 text ({e})"))
        return []
    lines: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        tally["records"] += 1
        where = f"{label}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as e:
            problems.append(problem("malformed_file", where, f"is not valid JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(record, dict):
            problems.append(problem("malformed_file", where, f"is a JSON {type(record).__name__}, not an object"))
            continue
        reference = record.get("source-ref")
        if not isinstance(reference, str) or not reference.strip():
            detail = "has text in `source`, not an image" if "source" in record else "has no source-ref"
            problems.append(problem("missing_source_ref", where, detail))
            continue
        detection, others, failure = _labels(record)
        if not detection:
            tally["other_types"].update(others)
            if failure is not None:
                tally["failed"].append(where)
                problems.append(
                    problem(
                        "unlabelled_image",
                        where,
                        f"the labeling job could not label {reference} ({failure}); skipped",
                        fix="label the image again in a new job, or leave it out",
                    )
                )
            elif not others:
                problems.append(
                    problem(
                        "unlabelled_image",
                        where,
                        f"{reference} has no bounding-box label yet (an unfinished job's manifest?); skipped",
                        fix="wait for the labeling job to finish and use its manifests/output/output.manifest",
                    )
                )
            continue
        attribute = _latest(record, detection) if len(detection) > 1 else detection[0]
        if len(detection) > 1:
            tally["chained"].append((where, detection, attribute))
        metadata = record[attribute + METADATA_SUFFIX]
        class_map.add(metadata.get("class-map"), where, problems)
        value = record[attribute]
        if not isinstance(value, dict) or not isinstance(value.get("annotations", []), list):
            problems.append(problem("malformed_file", where, f"{attribute!r} is not an object with an annotations list"))
            continue
        line = _Line(where=where, reference=reference, attribute=attribute, size=_image_size(value))
        for i, box in enumerate(value.get("annotations", [])):
            box_where = f"{where} {attribute}.annotations[{i}]"
            keys = ("left", "top", "width", "height")
            if not isinstance(box, dict) or not _number(box.get("class_id")) or not all(_number(box.get(k)) for k in keys):
                problems.append(problem("malformed_file", box_where, f"needs class_id, left, top, width, height, got {box!r}"))
                continue
            left, top, width, height = (float(box[k]) for k in keys)
            line.boxes.append((box_where, int(box["class_id"]), (left, top, left + width, top + height)))
        lines.append(line)
    return lines


def read(input: Path) -> Export:
    problems: list[Problem] = []
    export = Export(format=FORMAT, images=[], class_names=[], problems=problems)
    manifests = find_manifests(input, problems)
    if not manifests:
        return export
    folder = input if input.is_dir() else input.parent
    class_map = _ClassMap()
    tally: dict[str, Any] = {"records": 0, "other_types": set(), "failed": [], "chained": []}
    lines: list[_Line] = []
    for manifest in manifests:
        lines += _read_lines(manifest, shown_path(manifest, folder), problems, class_map, tally)
    names = ", ".join(shown_path(m, folder) for m in manifests)
    if tally["records"] == 0:
        problems.append(problem("empty_export", names, "has no lines"))
        return export
    if not lines and tally["other_types"]:
        kinds = ", ".join(sorted(tally["other_types"]))
        problems.append(
            problem(
                "segmentation_export",
                names,
                f"holds {kinds} labels, not bounding boxes ({DETECTION_TYPE})",
                fix="give the output manifest of a bounding box labeling job",
            )
        )
        return export
    if tally["chained"]:
        where, attributes, used = tally["chained"][0]
        problems.append(
            problem(
                "several_labels",
                where,
                f"{len(tally['chained'])} line(s) carry labels of several jobs ({', '.join(attributes)} here); the "
                f"latest by creation-date was used on each ({used} here)",
                fix="nothing to do if the later job adjusted the earlier one; otherwise give one job's manifest",
            )
        )

    indices = class_map.indices()
    export.class_names = [class_map.names[class_id] for class_id in sorted(class_map.names)]
    resolver = ImageResolver(folder)
    collected = ImageCollector(export)
    for line in lines:
        located = locate_image(resolver, [line.reference], line.where, line.size, problems)
        if located is None:
            continue
        path, size = located
        boxes: list[Box] = []
        for box_where, class_id, corners in line.boxes:
            if class_id not in indices:
                if class_id in class_map.refused:
                    continue
                problems.append(
                    problem("class_map_mismatch", box_where, f"class_id {class_id} is in no class-map of the manifest")
                )
                continue
            box = checked_box(indices[class_id], corners, size, box_where, problems)
            if box is not None:
                boxes.append(box)
        collected.add(LabelledImage(
            source=path, width=size[0], height=size[1], boxes=boxes, where=line.where, output_name=output_name(path, folder)
        ))
    return export
