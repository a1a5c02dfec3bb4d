"""data.yaml written on another machine, resolved against where the dataset really is."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_dataset import make_dataset

from yolops_training.dataset_layout import read_layout
from yolops_training.errors import JobFailure, ProblemList


def test_images_first_layout_with_a_foreign_absolute_path(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=2, val=1)  # path: /home/someone/datasets/shapes
    layout = read_layout(tmp_path)
    assert layout.split_dirs == {"train": (tmp_path / "images" / "train",), "val": (tmp_path / "images" / "val",)}
    assert layout.names == ("square", "disc")


def test_roboflow_layout_with_parent_relative_paths(tmp_path: Path) -> None:
    make_dataset(tmp_path, layout="roboflow", train=2, val=1)  # train: ../train/images, val: ../valid/images
    layout = read_layout(tmp_path)
    assert layout.split_dirs == {"train": (tmp_path / "train" / "images",), "val": (tmp_path / "valid" / "images",)}


def test_absolute_paths_of_a_moved_dataset_keep_their_existing_tail(tmp_path: Path) -> None:
    yaml = "train: /data/alice/shapes/images/train\nval: /data/alice/shapes/images/val\nnames: {0: square, 1: disc}\n"
    make_dataset(tmp_path, train=2, val=1, yaml_text=yaml)
    assert read_layout(tmp_path).split_dirs["val"] == (tmp_path / "images" / "val",)


def test_missing_split_keys_fall_back_to_the_usual_folders(tmp_path: Path) -> None:
    make_dataset(tmp_path, layout="roboflow", train=2, val=1, yaml_text="names: ['square', 'disc']\n")
    layout = read_layout(tmp_path)
    assert layout.split_dirs["val"] == (tmp_path / "valid" / "images",)
    assert any("no 'val' key" in note for note in layout.notes)


def test_data_yaml_one_folder_down_is_found(tmp_path: Path) -> None:
    make_dataset(tmp_path / "shapes-v3", train=2, val=1)
    assert read_layout(tmp_path).yaml_file == tmp_path / "shapes-v3" / "data.yaml"


def test_no_data_yaml(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    with pytest.raises(
        JobFailure, match=r"No data.yaml in the dataset folder .* Fix: upload the dataset with its data.yaml"
    ):
        read_layout(tmp_path)


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text("names: ['a', 'b']\ntrain: [images/train\nval: x\n")
    with pytest.raises(JobFailure, match=r"data.yaml:\d+: not valid YAML"):
        read_layout(tmp_path)


def test_every_yaml_problem_is_reported_together(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=2, val=1, yaml_text="train: images/training\nval: images/nothere\n")
    with pytest.raises(ProblemList) as caught:
        read_layout(tmp_path)
    text = str(caught.value)
    assert "key 'names' is missing" in text
    assert "'train: images/training' names no folder" in text
    assert "'val: images/nothere' names no folder" in text


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("{0: a, 2: b}", "ids must be 0..1 without gaps"),
        ("[]", "'names' is empty"),
        ("square", "must be a list or a mapping"),
    ],
)
def test_bad_names(tmp_path: Path, names: str, message: str) -> None:
    make_dataset(tmp_path, train=1, val=1, yaml_text=f"train: images/train\nval: images/val\nnames: {names}\n")
    with pytest.raises(ProblemList, match=message):
        read_layout(tmp_path)


def test_nc_must_match_names(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=1, val=1, yaml_text="train: images/train\nval: images/val\nnc: 3\nnames: [a, b]\n")
    with pytest.raises(ProblemList, match="'nc: 3' does not match the 2 entries"):
        read_layout(tmp_path)


def test_an_unresolvable_optional_test_split_is_left_out_with_a_note(tmp_path: Path) -> None:
    make_dataset(
        tmp_path, train=1, val=1, yaml_text="train: images/train\nval: images/val\ntest: images/test\nnames: [a, b]\n"
    )
    layout = read_layout(tmp_path)
    assert "test" not in layout.split_dirs
    assert any(note.startswith("test split ignored") for note in layout.notes)
