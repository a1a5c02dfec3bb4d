"""read_groundtruth on Ground Truth output manifests as the service writes them (the bounding-box job output of
the SageMaker developer guide: source-ref, the label attribute with image_size and annotations, its -metadata
with class-map, type, objects, job-name, creation-date), with real image files, and the bad-input corpus
test/corpus/labelled/groundtruth/<case>/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from yolops_dataprep import read_groundtruth
from yolops_dataprep.convert import convert, validate_dataset
from yolops_dataprep.records import Export

BUCKET = "s3://yolops-labeling-123456789012"


def image(path: Path, width: int, height: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (90, 140, 60)).save(path)


def line(
    key: str,
    boxes: list[tuple[int, float, float, float, float]],
    class_map: dict[int, str],
    *,
    attribute: str = "bounding-box",
    size: tuple[int, int] = (640, 480),
    job: str = "labeling-job/pets",
    created: str = "2025-03-04T10:11:12.123456",
    **extra: Any,
) -> dict[str, Any]:
    """One output-manifest line of a bounding-box job (boxes as class_id, left, top, width, height)."""
    return {
        "source-ref": f"{BUCKET}/{key}",
        attribute: {
            "image_size": [{"width": size[0], "height": size[1], "depth": 3}],
            "annotations": [{"class_id": c, "left": x, "top": y, "width": w, "height": h} for c, x, y, w, h in boxes],
        },
        f"{attribute}-metadata": {
            "objects": [{"confidence": 0.87} for _ in boxes],
            "class-map": {str(k): v for k, v in class_map.items()},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": created,
            "job-name": job,
        },
        **extra,
    }


def write_manifest(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item) + "\n" for item in lines), encoding="utf-8")
    return path


def codes(export: Export) -> list[tuple[str, str]]:
    return [(p.severity, p.code) for p in export.problems]


def test_a_completed_job_copied_by_the_completion_reads_with_classes_in_class_id_order(tmp_path: Path) -> None:
    # The completion's layout: labeled-data/<job>/output.manifest, images/<key of the source-ref>.
    for name in ("street-1.jpg", "street-2.jpg", "empty-road.jpg"):
        image(tmp_path / "images" / "raw-images" / "batch-7" / name, 640, 480)
    write_manifest(
        tmp_path / "output.manifest",
        [
            line("raw-images/batch-7/street-1.jpg", [(2, 100, 50, 200, 150), (0, 10, 20, 30, 40)], {0: "car", 2: "truck"}),
            line("raw-images/batch-7/street-2.jpg", [(1, 300.5, 200.25, 100, 80)], {1: "bus"}),
            line("raw-images/batch-7/empty-road.jpg", [], {}),
        ],
    )
    export = read_groundtruth.read(tmp_path)
    assert export.problems == []
    assert export.class_names == ["car", "bus", "truck"]  # ids 0, 1, 2 as the job's label categories
    first, second, empty = export.images
    assert first.source == tmp_path / "images" / "raw-images" / "batch-7" / "street-1.jpg"
    assert (first.width, first.height) == (640, 480)
    assert first.output_name == "raw-images/batch-7/street-1.jpg"
    assert [(b.class_index, b.x_min, b.y_min, b.x_max, b.y_max) for b in first.boxes] == [
        (2, 100, 50, 300, 200),
        (0, 10, 20, 40, 60),
    ]
    assert [(b.class_index, b.x_min, b.y_min, b.x_max, b.y_max) for b in second.boxes] == [(1, 300.5, 200.25, 400.5, 280.25)]
    assert empty.boxes == []  # labelled and found empty: a background image
    assert first.where == "output.manifest:1"


def test_sparse_class_ids_become_consecutive_classes(tmp_path: Path) -> None:
    image(tmp_path / "images" / "a.jpg", 320, 240)
    write_manifest(tmp_path / "out.manifest", [line("a.jpg", [(5, 1, 1, 10, 10), (0, 2, 2, 10, 10)], {0: "dog", 5: "bone"}, size=(320, 240))])
    export = read_groundtruth.read(tmp_path / "out.manifest")
    assert export.class_names == ["dog", "bone"]
    assert [b.class_index for b in export.images[0].boxes] == [1, 0]


def test_ground_truths_own_output_folder_layout_is_found(tmp_path: Path) -> None:
    """The job's S3 output as downloaded: <job>/manifests/output/output.manifest, images beside it under images/."""
    image(tmp_path / "images" / "raw-images" / "b" / "a.png", 100, 80)
    write_manifest(
        tmp_path / "manifests" / "output" / "output.manifest",
        [line("raw-images/b/a.png", [(0, 10, 10, 20, 20)], {0: "cat"}, size=(100, 80))],
    )
    export = read_groundtruth.read(tmp_path)
    assert export.problems == [] and len(export.images) == 1
    assert export.images[0].where == "manifests/output/output.manifest:1"


def test_an_adjustment_job_is_read_from_its_adjusted_label_with_one_warning(tmp_path: Path) -> None:
    image(tmp_path / "images" / "a.jpg", 500, 400)
    image(tmp_path / "images" / "b.jpg", 500, 400)
    adjusted = {
        **line("a.jpg", [(0, 110, 135, 61, 128)], {0: "dog", 5: "bone"}, attribute="adjusted-bounding-box", size=(500, 400), created="2025-11-20T22:18:13.527256", job="labeling-job/adjust-dogs"),
    }
    adjusted["adjusted-bounding-box-metadata"]["adjustment-status"] = "adjusted"
    first = line("a.jpg", [(0, 111, 134, 61, 128), (5, 20, 20, 30, 30)], {0: "dog", 5: "bone"}, size=(500, 400), created="2025-10-18T22:18:13.527256")
    second = line("b.jpg", [(5, 1, 1, 30, 30)], {5: "bone"}, size=(500, 400), created="2025-10-18T22:18:13.527256")
    second_adjusted = line("b.jpg", [(5, 2, 2, 30, 30)], {5: "bone"}, attribute="adjusted-bounding-box", size=(500, 400), created="2025-11-20T22:18:13.527256")
    write_manifest(tmp_path / "output.manifest", [{**first, **adjusted}, {**second, **second_adjusted}])
    export = read_groundtruth.read(tmp_path)
    assert codes(export) == [("warning", "several_labels")]
    assert "2 line(s)" in export.problems[0].message and "adjusted-bounding-box" in export.problems[0].message
    a, b = export.images
    assert [(box.x_min, box.y_min) for box in a.boxes] == [(110, 135)]  # the adjusted box, the bone removed
    assert [(box.x_min, box.y_min) for box in b.boxes] == [(2, 2)]


def test_a_chained_job_without_creation_dates_uses_the_later_label_on_the_line(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 64, 64)
    record = line("a.jpg", [(0, 1, 1, 5, 5)], {0: "cat"}, attribute="first", size=(64, 64))
    record.update(line("a.jpg", [(0, 9, 9, 5, 5)], {0: "cat"}, attribute="second", size=(64, 64)))
    del record["first-metadata"]["creation-date"], record["second-metadata"]["creation-date"]
    write_manifest(tmp_path / "output.manifest", [record])
    export = read_groundtruth.read(tmp_path)
    assert export.images[0].boxes[0].x_min == 9


def test_a_verification_label_beside_the_boxes_does_not_change_them(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 500, 400)
    record = line("a.jpg", [(0, 111, 134, 61, 128)], {0: "dog"}, size=(500, 400))
    record["verify-bounding-box"] = "1"
    record["verify-bounding-box-metadata"] = {
        "class-name": "bad",
        "confidence": 0.93,
        "type": "groundtruth/label-verification",
        "job-name": "verify-bounding-boxes",
        "human-annotated": "yes",
        "creation-date": "2025-11-20T22:18:13.527256",
        "worker-feedback": [{"comment": "The box is too wide on the right side."}],
    }
    write_manifest(tmp_path / "output.manifest", [record])
    export = read_groundtruth.read(tmp_path)
    assert export.problems == [] and export.images[0].boxes[0].x_min == 111


def test_an_unfinished_jobs_line_without_a_label_is_skipped_not_made_a_background(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 64, 64)
    image(tmp_path / "b.jpg", 64, 64)
    write_manifest(tmp_path / "output.manifest", [line("a.jpg", [(0, 1, 1, 5, 5)], {0: "cat"}, size=(64, 64)), {"source-ref": f"{BUCKET}/b.jpg"}])
    export = read_groundtruth.read(tmp_path)
    assert codes(export) == [("warning", "unlabelled_image")]
    assert export.problems[0].where == "output.manifest:2"
    assert [i.source.name for i in export.images] == ["a.jpg"]


def test_the_same_image_twice_with_the_same_boxes_is_kept_once(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 64, 64)
    same = line("a.jpg", [(0, 1, 1, 5, 5)], {0: "cat"}, size=(64, 64))
    write_manifest(tmp_path / "output.manifest", [same, same])
    export = read_groundtruth.read(tmp_path)
    assert codes(export) == [("warning", "duplicate_image")] and len(export.images) == 1


def test_blank_lines_and_a_byte_order_mark_are_tolerated(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 64, 64)
    text = json.dumps(line("a.jpg", [(0, 1, 1, 5, 5)], {0: "cat"}, size=(64, 64)))
    (tmp_path / "output.manifest").write_text("\ufeff" + text + "\n\n", encoding="utf-8")
    export = read_groundtruth.read(tmp_path)
    assert export.problems == [] and len(export.images) == 1


def test_a_folder_without_a_manifest_says_what_to_put_there(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 64, 64)
    export = read_groundtruth.read(tmp_path)
    assert codes(export) == [("error", "missing_annotations")]
    assert "output.manifest" in export.problems[0].fix


def test_a_ground_truth_export_converts_to_a_yolo_dataset_the_training_takes(tmp_path: Path) -> None:
    export_folder = tmp_path / "labeled-data" / "pets-job"
    lines = []
    for i in range(10):
        image(export_folder / "images" / "raw-images" / "batch-1" / f"pet-{i}.jpg", 320, 240)
        boxes = [(i % 2 * 3, 10 + i, 20, 60, 50)] + ([(3, 200, 150, 160, 120)] if i % 3 == 0 else [])  # the second reaches out
        lines.append(line(f"raw-images/batch-1/pet-{i}.jpg", boxes, {0: "cat", 3: "dog"}, size=(320, 240)))
    write_manifest(export_folder / "output.manifest", lines)
    result = convert("groundtruth", export_folder, tmp_path / "dataset", [0.8, 0.2], 0)
    assert result["valid"] is True, result["problems"]
    assert result["classes"] == ["cat", "dog"]
    assert sum(s["images"] for s in result["splits"].values()) == 10
    assert sum(s["boxes"] for s in result["splits"].values()) == 10 + 4
    assert [p["code"] for p in result["problems"]] == ["box_outside_image"] * 4
    report, problems = validate_dataset(tmp_path / "dataset")
    assert problems == [] and report is not None and list(report.names) == ["cat", "dog"]
    label = next((tmp_path / "dataset" / "labels").rglob("pet-0.txt")).read_text().split()
    # pet-0: cat at (10, 20)-(70, 70), the dog clipped to (200, 150)-(320, 240) in a 320x240 image.
    assert [float(v) for v in label] == pytest.approx(
        [0, 40 / 320, 45 / 240, 60 / 320, 50 / 240, 1, 260 / 320, 195 / 240, 120 / 320, 90 / 240], abs=1e-6
    )
