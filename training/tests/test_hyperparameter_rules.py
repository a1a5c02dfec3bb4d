"""Hyperparameters checked against Ultralytics' own keys, every problem named with what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from yolops_training.errors import ProblemList
from yolops_training.hyperparameter_rules import resolve_training_request
from yolops_training.hyperparameter_sources import RawHyperparameters


def raw(**values: object) -> RawHyperparameters:
    result = RawHyperparameters()
    for key, value in values.items():
        result.put(key, value, "command line")
    return result


def problems(tmp_path: Path, **values: object) -> list[str]:
    with pytest.raises(ProblemList) as caught:
        resolve_training_request(raw(**values), tmp_path)
    return caught.value.problems


def test_the_supported_keys_resolve(tmp_path: Path) -> None:
    request = resolve_training_request(
        raw(
            epochs="2",
            batch_size="8",
            imgsz="96",
            model="yolo11n.yaml",
            patience="5",
            workers="2",
            cache="ram",
            optimizer="adamw",
            lr0="0.005",
            seed="3",
            mosaic="0.5",
        ),
        tmp_path,
    )
    assert request.model == "yolo11n.yaml"
    assert request.overrides == {
        "epochs": 2,
        "batch": 8,
        "imgsz": 96,
        "patience": 5,
        "workers": 2,
        "cache": "ram",
        "optimizer": "AdamW",
        "lr0": 0.005,
        "seed": 3,
        "mosaic": 0.5,
    }
    assert request.auto == frozenset()


def test_absent_or_auto_throughput_keys_are_left_to_the_machine(tmp_path: Path) -> None:
    request = resolve_training_request(raw(model="yolo11n.yaml", workers="auto", batch_size="AUTO"), tmp_path)
    assert request.auto == {"batch", "workers", "cache"}
    assert request.overrides == {"epochs": 100, "imgsz": 640}  # Ultralytics' defaults


def test_epochs_zero_names_the_key_its_source_and_what_is_allowed(tmp_path: Path) -> None:
    assert problems(tmp_path, epochs="0", model="yolo11n.yaml") == [
        "hyperparameter 'epochs' = 0 (from command line) must be a whole number >= 1 (e.g. epochs=100)"
    ]


def test_bad_values_are_all_reported_together(tmp_path: Path) -> None:
    found = problems(tmp_path, epochs="0", batch_size="-5", imgsz="abc", cache="sometimes", model="yolo11n.yaml")
    assert len(found) == 4
    assert any("'batch_size' = -5" in p and "whole number >= 1, -1 (Ultralytics AutoBatch)" in p for p in found)
    assert any("'imgsz' = 'abc'" in p and ">= 32" in p for p in found)
    assert any("'cache' = 'sometimes'" in p and "'ram' or 'disk'" in p for p in found)


def test_an_unknown_key_gets_a_suggestion_and_the_allowed_list(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, epoch="3", model="yolo11n.yaml")
    assert "'epoch' = 3 (from command line) is not an Ultralytics train argument" in problem
    assert "did you mean 'epochs'" in problem
    assert "docs.ultralytics.com/modes/train" in problem


def test_keys_the_container_sets_are_refused_with_the_reason(tmp_path: Path) -> None:
    found = problems(tmp_path, data="coco8.yaml", resume="true", save="false", model="yolo11n.yaml")
    assert any("'data'" in p and "'training' channel" in p for p in found)
    assert any("'resume'" in p and "automatic from the checkpoint dir" in p for p in found)
    assert any("'save'" in p and "managed-spot resume" in p for p in found)


def test_other_ultralytics_keys_are_checked_by_ultralytics(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, mosaic="2.5", model="yolo11n.yaml")
    assert "'mosaic' = 2.5" in problem and "between 0.0 and 1.0" in problem


def test_batch_and_batch_size_must_agree(tmp_path: Path) -> None:
    assert any("disagree" in p for p in problems(tmp_path, batch="16", batch_size="8", model="yolo11n.yaml"))


@pytest.mark.parametrize(("given", "device"), [("0,1", "0,1"), ("[0, 1, 2]", "0,1,2"), ("1", "1"), ("cpu", "cpu")])
def test_one_or_several_devices_are_passed_to_ultralytics(tmp_path: Path, given: str, device: str) -> None:
    # Several GPUs: Ultralytics trains them with DDP (devices.py).
    request = resolve_training_request(raw(device=given, model="yolo11n.yaml"), tmp_path)
    assert request.overrides["device"] == device


def test_a_device_list_that_is_not_gpu_indices_is_refused(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, device="[0, 'x']", model="yolo11n.yaml")
    assert "'device'" in problem and "must list GPU indices" in problem


@pytest.mark.parametrize("batch", ["-1", "0.7"])
def test_autobatch_on_several_devices_is_refused(tmp_path: Path, batch: str) -> None:
    # Ultralytics raises only after the dataset scan: "AutoBatch with batch<1 not supported for Multi-GPU training".
    [problem] = problems(tmp_path, batch_size=batch, device="0,1", model="yolo11n.yaml")
    assert f"'batch_size' = {float(batch) if '.' in batch else int(batch)!r}" in problem
    assert "AutoBatch" in problem and "'device' = '0,1'" in problem and "one device" in problem


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("yolo11n.pt", "this machine is offline"),  # YOLO_OFFLINE=true in the tests
        ("mymodel.pt", "neither a file"),
        ("yolo11n-seg.pt", "not an object detection model"),
        ("yolo11n-seg.yaml", "'segment' model config"),
        ("nonsense.yaml", "not a model config Ultralytics knows"),
        ("weights.onnx", "must end with .pt"),
    ],
)
def test_models_that_cannot_train_here_are_refused(tmp_path: Path, model: str, message: str) -> None:
    [problem] = problems(tmp_path, model=model)
    assert message in problem and f"'model' = '{model}'" in problem


def test_a_pt_file_in_the_training_channel_is_used(tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "start.pt").write_bytes(b"x")
    request = resolve_training_request(raw(model="weights/start.pt"), tmp_path)
    assert request.model == str((tmp_path / "weights" / "start.pt").resolve())
