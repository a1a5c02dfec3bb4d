"""The dataset contract file: its shape is checked when read, and Ultralytics is the judge of what it accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_dataset_corpus import CASES, CORPUS, expected_of

from yolops_training.dataset_checks import check_dataset, label_path_for
from yolops_training.dataset_contract import CONTRACT, CONTRACT_FILE, ContractError, DatasetProblem, parse_contract
from yolops_training.dataset_layout import read_layout

REQUIREMENTS = (Path(__file__).resolve().parents[1] / "requirements.txt").read_text()


def test_the_image_extensions_are_ultralytics_img_formats() -> None:
    import ultralytics
    from ultralytics.data.utils import IMG_FORMATS

    assert CONTRACT.image_extensions == frozenset(IMG_FORMATS)
    assert ultralytics.__version__ == CONTRACT.ultralytics_version
    assert f"ultralytics-opencv-headless=={CONTRACT.ultralytics_version}" in REQUIREMENTS


def test_a_contract_of_the_wrong_shape_is_refused_with_the_key() -> None:
    data = json.loads(CONTRACT_FILE.read_text())
    data["problems"]["corrupt-image"]["severity"] = "fatal"
    with pytest.raises(ContractError, match=r"problems.corrupt-image.severity must be one of"):
        parse_contract(data)
    data = json.loads(CONTRACT_FILE.read_text())
    del data["images"]["heic"]["refusal"]
    with pytest.raises(ContractError, match=r"images.heic has a refusal exactly when refused"):
        parse_contract(data)


def test_a_problem_code_outside_the_contract_is_a_bug() -> None:
    with pytest.raises(ContractError, match="'corrupted-image' is not a problem code"):
        DatasetProblem("corrupted-image", "a.png", "a.png: broken")


VALID = [c for c in CASES if not any(p["severity"] == "error" for p in expected_of(c)["problems"])]


@pytest.mark.parametrize("case", VALID)
def test_ultralytics_reads_every_image_and_label_of_a_case_without_errors(case: str) -> None:
    """What both sides pass, Ultralytics' own reader (the one training uses) takes whole: no image is dropped."""
    from ultralytics.data.utils import verify_image_label

    report = check_dataset(read_layout(CORPUS / case / "dataset"))
    pairs = [(image, label_path_for(image)) for split in report.splits.values() for _, image, _ in split.images]
    assert pairs
    for image, label in pairs:
        result = verify_image_label((str(image), str(label), "", False, len(report.names), 0, 0, False))
        corrupt, message = result[8], result[9]
        assert corrupt == 0, message
