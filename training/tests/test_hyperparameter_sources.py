"""Hyperparameters as SageMaker hands them over: hyperparameters.json, SM_HPS and script-mode arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yolops_training.errors import JobFailure
from yolops_training.hyperparameter_sources import collect_hyperparameters, decode_value, parse_command_line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2", 2),
        ("0.01", 0.01),
        ('"train.py"', "train.py"),
        ('"2"', 2),  # the SDK's JSON encoding of the string "2"
        ("yolo11n.pt", "yolo11n.pt"),
        ("ram", "ram"),
        ("True", True),
        ("false", False),
        ("None", None),
        ("[0.5, 2.0]", [0.5, 2.0]),
        ("abc", "abc"),
        (8, 8),
    ],
)
def test_decode_value(raw: object, expected: object) -> None:
    assert decode_value(raw) == expected


def test_command_line_forms_and_the_leading_train_of_a_custom_image() -> None:
    assert parse_command_line(["train", "--epochs", "2", "--imgsz=96", "--batch-size", "8", "--rect"]) == [
        ("epochs", "2"),
        ("imgsz", "96"),
        ("batch-size", "8"),
        ("rect", "true"),
    ]


def test_a_stray_argument_is_refused() -> None:
    with pytest.raises(JobFailure, match="Unexpected command-line argument 'oops'"):
        parse_command_line(["--epochs", "2", "oops"])


def test_sources_merge_later_wins_and_sagemaker_keys_are_ignored(tmp_path: Path) -> None:
    file = tmp_path / "hyperparameters.json"
    file.write_text(
        json.dumps({"epochs": "5", "imgsz": "320", "model": '"yolo11s.pt"', "sagemaker_program": '"train.py"'})
    )
    env = {"SM_HPS": json.dumps({"imgsz": 160, "sagemaker_region": "eu-west-1"})}
    raw = collect_hyperparameters(file, env, ["--imgsz", "96", "--batch-size", "8"])
    assert raw.values == {"epochs": 5, "imgsz": 96, "model": "yolo11s.pt", "batch_size": 8}
    assert raw.sources == {
        "epochs": "hyperparameters.json",
        "imgsz": "command line",
        "model": "hyperparameters.json",
        "batch_size": "command line",
    }
    assert raw.ignored == ["sagemaker_program", "sagemaker_region"]


def test_a_missing_hyperparameters_file_means_none(tmp_path: Path) -> None:
    assert collect_hyperparameters(tmp_path / "absent.json", {}, []).values == {}


def test_broken_sources_name_themselves(tmp_path: Path) -> None:
    file = tmp_path / "hyperparameters.json"
    file.write_text("{not json")
    with pytest.raises(JobFailure, match=r"hyperparameters file .*hyperparameters\.json"):
        collect_hyperparameters(file, {}, [])
    with pytest.raises(JobFailure, match="SM_HPS is not valid JSON"):
        collect_hyperparameters(tmp_path / "absent.json", {"SM_HPS": "[1"}, [])
