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


def test_absolute_paths_are_refused_as_the_validator_refuses_them(tmp_path: Path) -> None:
    # An absolute path names a folder on the machine that exported the dataset: it cannot point into an upload.
    yaml = "train: /data/alice/shapes/images/train\nval: /data/alice/shapes/images/val\nnames: {0: square, 1: disc}\n"
    make_dataset(tmp_path, train=2, val=1, yaml_text=yaml)
    with pytest.raises(ProblemList) as caught:
        read_layout(tmp_path)
    assert [(p.code, p.file) for p in caught.value.problems] == [("unsupported-split-path", "data.yaml")] * 2
    assert "'val: /data/alice/shapes/images/val': /data/alice/shapes/images/val is an absolute path" in str(caught.value)


def test_missing_split_keys_are_reported_with_the_folder_that_exists(tmp_path: Path) -> None:
    # Ultralytics itself refuses a data.yaml without 'train' and 'val', and so do the validator and this check.
    make_dataset(tmp_path, layout="roboflow", train=2, val=1, yaml_text="names: ['square', 'disc']\n")
    with pytest.raises(ProblemList) as caught:
        read_layout(tmp_path)
    assert [p.code for p in caught.value.problems] == ["missing-split", "missing-split"]
    assert "data.yaml: has no 'val' key; this dataset has valid/images/: add 'val: valid/images'" in str(caught.value)


def test_data_yaml_one_folder_down_is_found(tmp_path: Path) -> None:
    make_dataset(tmp_path / "shapes-v3", train=2, val=1)
    assert read_layout(tmp_path).yaml_file == tmp_path / "shapes-v3" / "data.yaml"


def test_two_data_yaml_files_one_folder_down_are_refused(tmp_path: Path) -> None:
    make_dataset(tmp_path / "a", train=1, val=1)
    make_dataset(tmp_path / "b", train=1, val=1)
    with pytest.raises(JobFailure, match=r"found 2 one folder down \(a/data.yaml, b/data.yaml\)") as caught:
        read_layout(tmp_path)
    assert [p.code for p in caught.value.problems] == ["missing-data-yaml"]  # type: ignore[attr-defined]


def test_a_repeated_key_is_a_yaml_error_as_in_the_validator(tmp_path: Path) -> None:
    make_dataset(tmp_path, train=1, val=1, yaml_text="train: images/train\nval: images/val\nnames: [a, b]\nval: x\n")
    with pytest.raises(JobFailure, match=r"data.yaml:4: not valid YAML \(the key 'val' is repeated\)"):
        read_layout(tmp_path)


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
