"""Every image and label checked before training, each problem with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_dataset import make_dataset

from yolops_training.dataset_checks import check_dataset, label_path_for
from yolops_training.dataset_layout import read_layout
from yolops_training.dataset_mirror import mirror_dataset, mirror_split_for_evaluation
from yolops_training.errors import ProblemList


def failing(root: Path) -> str:
    with pytest.raises(ProblemList) as caught:
        check_dataset(read_layout(root))
    return str(caught.value)


def test_a_clean_dataset_is_counted(tmp_path: Path) -> None:
    data = make_dataset(tmp_path, train=6, val=2, backgrounds=2)
    report = check_dataset(read_layout(tmp_path))
    train = report.splits["train"]
    assert (len(train.images), train.backgrounds, train.boxes) == (6, 2, data.boxes["train"])
    assert train.summary() == f"train: 6 images (2 backgrounds without boxes), {data.boxes['train']} boxes"
    assert report.image_count == 8 and report.image_bytes > 0


def test_label_path_follows_ultralytics(tmp_path: Path) -> None:
    assert label_path_for(Path("/d/images/train/a.b.jpg")) == Path("/d/labels/train/a.b.txt")
    assert label_path_for(Path("/d/train/images/x.png")) == Path("/d/train/labels/x.txt")
    assert label_path_for(Path("/d/flat/x.png")) == Path("/d/flat/x.txt")


def test_polygons_are_accepted_and_tolerance_matches_ultralytics(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=2, val=1)
    (tmp_path / "labels" / "train" / "train_000.txt").write_text("1 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\n")
    (tmp_path / "labels" / "train" / "train_001.txt").write_text("0 0.5 0.5 1.005 0.2\n")
    (tmp_path / "labels" / "train" / "classes.txt").write_text("square\ndisc\n")
    train = check_dataset(read_layout(tmp_path)).splits["train"]
    # Both images keep their one object: the polygon counts as a box, 1.005 is within the 0.01 tolerance,
    # and classes.txt is not taken for an orphan label file.
    assert (len(train.images), train.boxes, train.backgrounds) == (2, 2, 0)
    # Just past the tolerance the same label is an error: the check really compares against it.
    (tmp_path / "labels" / "train" / "train_001.txt").write_text("0 0.5 0.5 1.0101 0.2\n")
    assert "labels/train/train_001.txt:1: coordinate(s) 1.0101 outside 0..1" in failing(tmp_path)


def test_all_label_problems_are_reported_with_file_and_line(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=4, val=1)
    labels = tmp_path / "labels" / "train"
    (labels / "train_000.txt").write_text("0 0.5 0.5 0.2 0.2\n5 0.5 0.5 0.2 0.2\n")
    (labels / "train_001.txt").write_text("0 0.5 1.5 0.2 0.2\n")
    (labels / "train_002.txt").write_text("0 0.5 0.5 0.2\n")
    (labels / "train_003.txt").write_text("0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\nx 0.5 0.5 0.2 0.2\n")
    text = failing(tmp_path)
    assert "labels/train/train_000.txt:2: class id 5 is not a class of data.yaml (ids 0..1)" in text
    assert "labels/train/train_001.txt:1: coordinate(s) 1.5 outside 0..1" in text
    assert "labels/train/train_002.txt:1: 4 values, expected 5 (class x_center y_center width height)" in text
    assert "labels/train/train_003.txt:3: not all values are numbers" in text
    assert "labels/train/train_003.txt: mixes box lines (5 values) and polygon lines" in text
    assert "(5 problems)" in text


def test_orphan_labels_and_corrupt_or_tiny_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_dataset(tmp_path, layout="roboflow", train=3, val=1)
    (tmp_path / "train" / "labels" / "ghost.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "train" / "images" / "train_001.jpg").write_bytes(b"not a jpeg at all")
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "valid" / "images" / "val_000.jpg"), np.zeros((8, 8, 3), np.uint8))
    text = failing(tmp_path)
    assert (
        "train/labels/ghost.txt: label file with no image (expected an image named ghost.<jpg|png|...> in train/images)"
        in text
    )
    assert "train/images/train_001.jpg: cannot be read as an image" in text
    assert "valid/images/val_000.jpg: is 8x8 pixels" in text
    assert "requirements" not in capsys.readouterr().out  # no pip install of pi-heif for a corrupt file


def test_an_empty_split(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=0, val=1)
    assert "split 'train' (images/train) has no images" in failing(tmp_path)


def test_mirror_is_per_file_symlinks_with_a_resolved_data_yaml(tmp_path: Path) -> None:
    import yaml

    make_dataset(tmp_path / "in", layout="roboflow", train=3, val=1, backgrounds=1)
    report = check_dataset(read_layout(tmp_path / "in"))
    data_yaml = mirror_dataset(report, tmp_path / "work")
    content = yaml.safe_load(data_yaml.read_text())
    assert content == {
        "path": str(tmp_path / "work" / "dataset"),
        "train": "images/train",
        "val": "images/val",
        "names": {0: "square", 1: "disc"},
    }
    image = tmp_path / "work" / "dataset" / "images" / "train" / "train_001.jpg"
    assert image.is_symlink() and not image.parent.is_symlink()
    assert image.resolve() == (tmp_path / "in" / "train" / "images" / "train_001.jpg").resolve()
    assert (tmp_path / "work" / "dataset" / "labels" / "train" / "train_001.txt").is_symlink()
    assert not (tmp_path / "work" / "dataset" / "labels" / "train" / "train_000.txt").exists()  # the background
    mirror_dataset(report, tmp_path / "work")  # a second run replaces the mirror


def test_evaluation_mirror_names_one_split_for_every_key(tmp_path: Path) -> None:
    import yaml

    make_dataset(tmp_path / "in", train=1, val=2)
    report = check_dataset(read_layout(tmp_path / "in", ("val",)))
    content = yaml.safe_load(mirror_split_for_evaluation(report, "val", tmp_path / "work").read_text())
    assert content["train"] == content["val"] == "images/val"
