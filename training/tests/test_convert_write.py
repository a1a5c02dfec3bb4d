"""convert() end to end: a COCO export becomes a split YOLO dataset that the dataset contract passes and
Ultralytics loads; images are linked, never changed; a failure halfway leaves nothing at the output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from PIL import Image

from yolops_dataprep import read_coco, read_yolo, write_yolo
from yolops_dataprep.convert import ConvertRefused, convert, validate_dataset
from yolops_dataprep.split import split_images

CLASSES = ["person", "bicycle", "car"]


def _export(folder: Path, n: int = 30) -> Path:
    """A COCO export of n images (two sizes, JPEG and PNG) with 1-3 boxes each and a few backgrounds."""
    (folder / "images").mkdir(parents=True)
    images, annotations = [], []
    for i in range(n):
        w, h = (96, 64) if i % 2 else (64, 80)
        name = f"frame_{i:03d}.{'png' if i % 3 == 0 else 'jpg'}"
        Image.new("RGB", (w, h), (i * 7 % 255, 80, 160)).save(folder / "images" / name)
        images.append({"id": 1000 + i, "file_name": name, "width": w, "height": h})
        for k in range(0 if i % 10 == 9 else 1 + i % 3):
            annotations.append(
                {"id": len(annotations) + 1, "image_id": 1000 + i, "category_id": [1, 2, 3][(i + k) % 3] * 10, "bbox": [2 + k * 5, 3, 20, 15], "iscrowd": 0}
            )
    categories = [{"id": (i + 1) * 10, "name": name} for i, name in enumerate(CLASSES)]
    (folder / "coco.json").write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}))
    return folder


def test_end_to_end_valid_dataset_linked_images_and_exact_labels(tmp_path: Path) -> None:
    export = _export(tmp_path / "export")
    outcome = convert("coco", export, tmp_path / "dataset", (0.7, 0.2, 0.1), seed=0)
    assert outcome["valid"] and outcome["converted"] and outcome["errors"] == 0
    assert outcome["classes"] == CLASSES and list(outcome["splits"]) == ["train", "val", "test"]
    assert sum(s["images"] for s in outcome["splits"].values()) == 30
    read = read_coco.read(export)
    assert sum(s["boxes"] for s in outcome["splits"].values()) == sum(len(i.boxes) for i in read.images)
    data = yaml.safe_load((tmp_path / "dataset" / "data.yaml").read_text())
    assert data == {"train": "images/train", "val": "images/val", "test": "images/test", "nc": 3, "names": CLASSES}
    report, problems = validate_dataset(tmp_path / "dataset")
    assert problems == [] and report is not None
    for image in read.images:
        written = next((tmp_path / "dataset" / "images").glob(f"*/{image.output_name}"))
        assert written.read_bytes() == image.source.read_bytes()
        assert os.stat(written).st_ino == os.stat(image.source).st_ino  # one file system here: hard links
        label = (tmp_path / "dataset" / "labels" / written.parent.name / written.name).with_suffix(".txt")
        rows = [[float(v) for v in line.split()] for line in label.read_text().splitlines()]
        assert len(rows) == len(image.boxes)
        for row, box in zip(rows, image.boxes, strict=True):
            assert row[0] == box.class_index
            assert row[1] * image.width == pytest.approx((box.x_min + box.x_max) / 2, abs=1e-3)
            assert row[4] * image.height == pytest.approx(box.y_max - box.y_min, abs=1e-3)


def test_ultralytics_loads_the_written_dataset(tmp_path: Path) -> None:
    from ultralytics.data.dataset import YOLODataset
    from ultralytics.data.utils import check_det_dataset

    convert("coco", _export(tmp_path / "export", n=12), tmp_path / "dataset", (0.75, 0.25), seed=0)
    data = check_det_dataset(str(tmp_path / "dataset" / "data.yaml"))
    assert data["nc"] == 3 and list(data["names"].values()) == CLASSES
    dataset = YOLODataset(img_path=data["train"], data=data, task="detect", imgsz=64, augment=False)
    expected = sum(1 for line in (tmp_path / "dataset" / "labels" / "train").glob("*.txt") for _ in line.read_text().splitlines())
    assert len(dataset.labels) == len(list((tmp_path / "dataset" / "images" / "train").iterdir()))
    assert sum(len(label["cls"]) for label in dataset.labels) == expected > 0


def test_a_failure_halfway_leaves_nothing_at_the_output(tmp_path: Path) -> None:
    export = read_coco.read(_export(tmp_path / "export"))
    splits = split_images(export.images, (0.8, 0.2), seed=0)
    splits["val"][-1].source.unlink()  # the file goes away between reading and writing
    with pytest.raises(FileNotFoundError):
        write_yolo.write_yolo(tmp_path / "new", splits, export.class_names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no output, no temporary folder left
    (tmp_path / "empty").mkdir()  # a processing job's output folder: it exists, and stays, empty
    with pytest.raises(FileNotFoundError):
        write_yolo.write_yolo(tmp_path / "empty", splits, export.class_names)
    assert list((tmp_path / "empty").iterdir()) == []


def test_the_output_must_be_new_or_empty_and_a_refused_export_writes_nothing(tmp_path: Path) -> None:
    export = _export(tmp_path / "export", n=4)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(ConvertRefused, match="not empty"):
        convert("coco", export, tmp_path / "full", (0.8, 0.2), 0)
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    data = json.loads((export / "coco.json").read_text())
    data["annotations"][0]["category_id"] = 99
    (export / "coco.json").write_text(json.dumps(data))
    outcome = convert("coco", export, tmp_path / "out", (0.8, 0.2), 0)
    assert not outcome["valid"] and outcome["errors"] == 1 and outcome["problems"][0]["code"] == "unknown_category"
    assert not (tmp_path / "out").exists()


def test_an_image_the_training_would_refuse_is_caught_by_the_contract_check_and_nothing_stays(tmp_path: Path) -> None:
    export = _export(tmp_path / "export", n=4)
    Image.new("RGB", (8, 8)).save(export / "images" / "frame_001.jpg")  # below the contract's 10x10
    data = json.loads((export / "coco.json").read_text())
    data["images"][1].update(width=8, height=8)
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != 1001]
    (export / "coco.json").write_text(json.dumps(data))
    outcome = convert("coco", export, tmp_path / "out", (0.5, 0.5), 0)
    assert not outcome["valid"]
    assert [p["code"] for p in outcome["problems"] if p["severity"] == "error"] == ["image-too-small"]
    assert not (tmp_path / "out").exists()


def test_images_whose_names_differ_only_by_extension_get_their_own_label_files(tmp_path: Path) -> None:
    (tmp_path / "exp" / "images").mkdir(parents=True)
    for name in ("a.jpg", "a.png", "b.jpg", "c.jpg"):
        Image.new("RGB", (32, 32)).save(tmp_path / "exp" / "images" / name)
    (tmp_path / "exp" / "classes.txt").write_text("x\n")
    (tmp_path / "exp" / "labels").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "exp" / "labels" / f"{name}.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    outcome = convert("yolo", tmp_path / "exp", tmp_path / "out", (0.5, 0.5), 0)
    assert outcome["valid"], outcome["problems"]  # the contract check refuses two images sharing a label file
    assert len(list((tmp_path / "out" / "labels").rglob("*.txt"))) == 4
    together = read_yolo.read(tmp_path / "exp").images
    assert sorted(write_yolo.unique_names(together).values()) == ["a.jpg", "a_png.png", "b.jpg", "c.jpg"]
