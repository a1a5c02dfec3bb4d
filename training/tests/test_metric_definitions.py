"""training/metric_definitions.json: valid SageMaker MetricDefinitions matching the stdout metrics line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from yolops_training.metrics_line import EPOCH_METRICS, format_metrics_line

DEFINITIONS = json.loads((Path(__file__).resolve().parents[1] / "metric_definitions.json").read_text())


def test_definitions_follow_sagemaker_limits() -> None:
    assert isinstance(DEFINITIONS, list) and DEFINITIONS
    for definition in DEFINITIONS:
        assert set(definition) == {"Name", "Regex"}
        assert re.fullmatch(r".+", definition["Name"]) and len(definition["Name"]) <= 255
        assert 1 <= len(definition["Regex"]) <= 500
        assert re.compile(definition["Regex"]).groups == 1
        assert "/" not in definition["Name"]


def test_every_epoch_metric_has_a_definition() -> None:
    names = {d["Name"] for d in DEFINITIONS}
    assert names == {"epoch"} | {name.replace("/", ":") for name in EPOCH_METRICS}


def test_each_regex_reads_its_own_value_from_a_line() -> None:
    values = {name: (i + 1) / 10 + 0.000001 for i, name in enumerate(EPOCH_METRICS)}
    line = format_metrics_line(7, 10, values)
    assert line.startswith("yolops-metrics epoch=7/10 train/box_loss=0.100001 ")
    for definition in DEFINITIONS:
        [found] = re.findall(definition["Regex"], line)
        expected = 7 if definition["Name"] == "epoch" else values[definition["Name"].replace(":", "/")]
        assert float(found) == pytest.approx(expected, abs=1e-9), definition["Name"]


def test_map50_does_not_match_map50_95_and_nan_is_skipped() -> None:
    values = dict.fromkeys(EPOCH_METRICS, 0.5)
    values["val/mAP50"] = float("nan")
    line = format_metrics_line(1, 1, values)
    by_name = {d["Name"]: d["Regex"] for d in DEFINITIONS}
    assert re.findall(by_name["val:mAP50"], line) == []
    assert re.findall(by_name["val:mAP50-95"], line) == ["0.500000"]
