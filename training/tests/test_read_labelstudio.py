"""read_labelstudio on Label Studio exports as Label Studio writes them (JSON: tasks with data, annotations,
predictions, every field of a 1.x export; JSON-MIN), with real image files, and the bad-input corpus
test/corpus/labelled/labelstudio/<case>/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from yolops_dataprep import read_labelstudio
from yolops_dataprep.convert import convert, validate_dataset
from yolops_dataprep.read_labelstudio import rotated_corners
from yolops_dataprep.records import Export

STAMP = "2025-05-06T07:08:09.123456Z"


def image(path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (30, 30, 30)).save(path)
    return path


def rect(
    rid: str, x: float, y: float, w: float, h: float, labels: list[str], size: tuple[int, int] | None = (640, 480), rotation: float = 0
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "value": {"x": x, "y": y, "width": w, "height": h, "rotation": rotation, "rectanglelabels": labels},
        "id": rid,
        "from_name": "label",
        "to_name": "image",
        "type": "rectanglelabels",
        "origin": "manual",
        "image_rotation": 0,
    }
    if size is not None:
        result.update(original_width=size[0], original_height=size[1])
    return result


def annotation(aid: int, results: list[dict[str, Any]], *, cancelled: bool = False, updated: str = STAMP) -> dict[str, Any]:
    return {
        "id": aid,
        "completed_by": 1,
        "result": results,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "created_at": STAMP,
        "updated_at": updated,
        "lead_time": 8.2,
        "prediction": {},
        "result_count": len(results),
        "task": 0,
        "project": 3,
        "parent_prediction": None,
        "parent_annotation": None,
    }


def task(tid: int, url: str, annotations: list[dict[str, Any]], predictions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": tid,
        "annotations": annotations,
        "file_upload": url.rsplit("/", 1)[-1],
        "drafts": [],
        "predictions": predictions or [],
        "data": {"image": url},
        "meta": {},
        "created_at": STAMP,
        "updated_at": STAMP,
        "inner_id": tid,
        "total_annotations": len(annotations),
        "cancelled_annotations": 0,
        "total_predictions": len(predictions or []),
        "project": 3,
        "updated_by": 1,
    }


def write_export(folder: Path, tasks: list[dict[str, Any]], name: str = "project-3-at-2025-05-06-07-08-1a2b3c4d.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    return path


def corners(export: Export) -> list[list[tuple[int, float, float, float, float]]]:
    return [[(b.class_index, b.x_min, b.y_min, b.x_max, b.y_max) for b in i.boxes] for i in export.images]


def codes(export: Export) -> list[tuple[str, str]]:
    return [(p.severity, p.code) for p in export.problems]


def test_an_export_with_uploaded_images_reads_in_pixels_with_classes_sorted_by_name(tmp_path: Path) -> None:
    image(tmp_path / "images" / "1a2b3c4d-street.jpg", 640, 480)
    image(tmp_path / "images" / "9f8e7d6c-yard.jpg", 640, 480)
    write_export(
        tmp_path,
        [
            task(1, "/data/upload/3/1a2b3c4d-street.jpg", [annotation(11, [rect("r1", 10, 20, 25, 50, ["truck"]), rect("r2", 50, 50, 12.5, 10, ["car"])])]),
            task(2, "/data/upload/3/9f8e7d6c-yard.jpg", [annotation(12, [])]),  # reviewed, nothing there
        ],
    )
    export = read_labelstudio.read(tmp_path)
    assert export.problems == []
    assert export.class_names == ["car", "truck"]
    assert corners(export) == [[(1, 64, 96, 224, 336), (0, 320, 240, 400, 288)], []]
    street = export.images[0]
    assert (street.width, street.height, street.output_name) == (640, 480, "1a2b3c4d-street.jpg")
    assert street.where.endswith(": task 1")


def test_an_uploaded_image_kept_under_its_original_name_is_found(tmp_path: Path) -> None:
    image(tmp_path / "street.jpg", 640, 480)  # Label Studio's 8-hex-digit prefix is not on the file
    write_export(tmp_path, [task(1, "/data/upload/3/1a2b3c4d-street.jpg", [annotation(11, [rect("r1", 10, 20, 25, 50, ["car"])])])])
    export = read_labelstudio.read(tmp_path)
    assert export.problems == [] and export.images[0].source == tmp_path / "street.jpg"


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("/data/local-files/?d=datasets%2Fstreets%2Fcam%201.jpg", "datasets/streets/cam 1.jpg"),
        ("s3://yolops-raw-123456789012/raw-images/batch-2/cam-1.jpg", "images/raw-images/batch-2/cam-1.jpg"),
        ("gs://my-bucket/cams/cam-1.jpg", "cams/cam-1.jpg"),
        ("https://example.com/media/cam-1.jpg?token=abc", "images/cam-1.jpg"),
    ],
)
def test_local_and_cloud_storage_urls_resolve_inside_the_folder(tmp_path: Path, url: str, stored: str) -> None:
    image(tmp_path / stored, 320, 240)
    write_export(tmp_path, [task(1, url, [annotation(11, [rect("r1", 0, 0, 50, 50, ["car"], size=(320, 240))])])])
    export = read_labelstudio.read(tmp_path)
    assert export.problems == [] and export.images[0].source == tmp_path / stored


def test_the_latest_of_several_annotations_is_used_and_the_warning_says_so(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 640, 480)
    write_export(
        tmp_path,
        [
            task(
                1,
                "/data/upload/3/a.jpg",
                [
                    annotation(11, [rect("r1", 10, 10, 10, 10, ["car"])], updated="2025-05-06T07:00:00Z"),
                    annotation(12, [rect("r2", 40, 40, 10, 10, ["car"])], updated="2025-05-07T07:00:00Z"),
                    annotation(13, [rect("r3", 70, 70, 10, 10, ["car"])], updated="2025-05-08T07:00:00Z", cancelled=True),
                ],
            )
        ],
    )
    export = read_labelstudio.read(tmp_path)
    assert codes(export) == [("warning", "several_labels")]
    assert "annotation 12 of 2" in export.problems[0].message
    assert corners(export) == [[(0, 256, 192, 320, 240)]]


def test_a_rotated_rectangle_becomes_the_box_around_it(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 640, 480)
    # 25% x 25% at (40%, 40%) turned 90 degrees clockwise around its top-left corner (256, 192): a 160 x 120
    # rectangle now spans x 136..256 and y 192..352.
    write_export(tmp_path, [task(1, "/data/upload/3/a.jpg", [annotation(11, [rect("r1", 40, 40, 25, 25, ["car"], rotation=90)])])])
    export = read_labelstudio.read(tmp_path)
    assert codes(export) == [("warning", "rotated_box")]
    assert corners(export)[0][0] == pytest.approx((0, 136, 192, 256, 352))


def test_rotation_turns_clockwise_around_the_top_left_corner() -> None:
    assert rotated_corners(10, 10, 20, 10, 0) == (10, 10, 30, 20)
    assert rotated_corners(10, 10, 20, 10, 180) == pytest.approx((-10, 0, 10, 10))
    x_min, y_min, x_max, y_max = rotated_corners(0, 0, 10, 10, 45)
    assert (x_min, y_min, x_max, y_max) == pytest.approx((-(50**0.5), 0, 50**0.5, 2 * 50**0.5))


def test_percentages_that_round_past_the_edge_are_clipped_silently(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 300, 200)
    # Label Studio writes thirds as 33.333333333333336 and a box to the edge as 66.66666666666667 + 33.33333333333334.
    write_export(
        tmp_path,
        [task(1, "/data/upload/3/a.jpg", [annotation(11, [rect("r1", 66.66666666666667, 0, 33.33333333333334, 100.00000000000001, ["car"], size=(300, 200))])])],
    )
    export = read_labelstudio.read(tmp_path)
    assert export.problems == []
    assert corners(export)[0][0] == pytest.approx((0, 200, 0, 300, 200))
    assert export.images[0].boxes[0].x_max <= 300 and export.images[0].boxes[0].y_max <= 200


def test_without_original_size_the_image_header_gives_it(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 200, 100)
    write_export(tmp_path, [task(1, "/data/upload/3/a.jpg", [annotation(11, [rect("r1", 10, 10, 50, 50, ["car"], size=None)])])])
    export = read_labelstudio.read(tmp_path)
    assert export.problems == [] and corners(export) == [[(0, 20, 10, 120, 60)]]


def test_a_rectangle_with_a_separate_labels_control_is_one_box(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 640, 480)
    geometry = {"id": "k1", "type": "rectangle", "from_name": "box", "to_name": "image", "original_width": 640, "original_height": 480,
                "value": {"x": 10, "y": 10, "width": 10, "height": 10, "rotation": 0}}
    label = {"id": "k1", "type": "labels", "from_name": "kind", "to_name": "image", "original_width": 640, "original_height": 480,
             "value": {"x": 10, "y": 10, "width": 10, "height": 10, "rotation": 0, "labels": ["bike"]}}
    write_export(tmp_path, [task(1, "/data/upload/3/a.jpg", [annotation(11, [geometry, label])])])
    export = read_labelstudio.read(tmp_path)
    assert export.problems == [] and export.class_names == ["bike"] and corners(export) == [[(0, 64, 48, 128, 96)]]


def test_polygons_beside_rectangles_are_skipped_with_a_warning(tmp_path: Path) -> None:
    image(tmp_path / "a.jpg", 640, 480)
    polygon = {"id": "p1", "type": "polygonlabels", "from_name": "poly", "to_name": "image", "original_width": 640, "original_height": 480,
               "value": {"points": [[1, 1], [20, 1], [20, 20]], "polygonlabels": ["car"]}}
    write_export(tmp_path, [task(1, "/data/upload/3/a.jpg", [annotation(11, [rect("r1", 10, 10, 10, 10, ["car"]), polygon])])])
    export = read_labelstudio.read(tmp_path)
    assert codes(export) == [("warning", "segmentation_only")] and len(corners(export)[0]) == 1


def test_the_json_min_export_reads_the_same_boxes(tmp_path: Path) -> None:
    image(tmp_path / "images" / "1a2b3c4d-street.jpg", 640, 480)
    record = {
        "image": "/data/upload/3/1a2b3c4d-street.jpg",
        "id": 1,
        "label": [
            {"x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0, "rectanglelabels": ["truck"], "original_width": 640, "original_height": 480}
        ],
        "annotator": 1,
        "annotation_id": 11,
        "created_at": STAMP,
        "updated_at": STAMP,
        "lead_time": 8.2,
    }
    write_export(tmp_path, [record])
    export = read_labelstudio.read(tmp_path)
    assert export.problems == [] and export.class_names == ["truck"] and corners(export) == [[(0, 64, 96, 224, 336)]]


def test_a_coco_file_in_the_folder_is_not_taken_for_a_label_studio_export(tmp_path: Path) -> None:
    (tmp_path / "instances.json").write_text('{"images": [], "annotations": [], "categories": []}')
    export = read_labelstudio.read(tmp_path)
    assert codes(export) == [("error", "missing_annotations")]
    given = read_labelstudio.read(tmp_path / "instances.json")
    assert codes(given) == [("error", "malformed_file")] and "--from coco" in given.problems[0].fix


def test_a_label_studio_export_converts_to_a_yolo_dataset_the_training_takes(tmp_path: Path) -> None:
    folder = tmp_path / "labeled-data" / "v3"
    tasks = []
    for i in range(12):
        name = f"{i:08x}-frame-{i}.png"
        image(folder / "images" / name, 320, 240)
        results = [rect(f"r{i}", 5 * i, 10, 20, 30, ["person" if i % 2 else "bicycle"], size=(320, 240))]
        if i % 4 == 0:
            results.append(rect(f"q{i}", 50, 50, 20, 20, ["bicycle"], size=(320, 240), rotation=45))
        tasks.append(task(i + 1, f"/data/upload/3/{name}", [annotation(100 + i, results)]))
    write_export(folder, tasks)
    result = convert("labelstudio", folder, tmp_path / "dataset", [0.8, 0.2], 0)
    assert result["valid"] is True, result["problems"]
    assert result["classes"] == ["bicycle", "person"]
    assert sum(s["images"] for s in result["splits"].values()) == 12
    assert sum(s["boxes"] for s in result["splits"].values()) == 12 + 3
    assert [p["code"] for p in result["problems"]] == ["rotated_box"]
    report, problems = validate_dataset(tmp_path / "dataset")
    assert problems == [] and report is not None and list(report.names) == ["bicycle", "person"]
    first = next((tmp_path / "dataset" / "labels").rglob("00000001-frame-1.txt")).read_text().split()
    # frame 1: person at x 5%, y 10%, 20% x 30%: centre (15%, 25%).
    assert [float(v) for v in first] == pytest.approx([1, 0.15, 0.25, 0.2, 0.3], abs=1e-6)
