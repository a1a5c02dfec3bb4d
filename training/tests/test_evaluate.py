"""evaluate.py on the shared trained model: evaluation.json's contract, MLflow, and its failures."""

from __future__ import annotations

import json
import math
import tarfile
from pathlib import Path

import pytest
from conftest import TrainedJob
from jobs import Finished, Job, run_evaluate_in_process
from synthetic_dataset import NAMES, make_dataset

pytestmark = pytest.mark.slow


class Evaluated:
    def __init__(self, trained: TrainedJob, root: Path) -> None:
        self.trained = trained
        self.job = Job(root / "processing", extra_env={"MLFLOW_TRACKING_URI": trained.server.uri})
        self.model_input = root / "processing" / "input" / "model"
        self.model_input.mkdir(parents=True)
        # What SageMaker hands a processing job: the training job's model.tar.gz (the flat model dir).
        with tarfile.open(self.model_input / "model.tar.gz", "w:gz") as archive:
            for path in trained.job.model_dir.iterdir():
                archive.add(path, arcname=path.name)
        self.output = root / "processing" / "evaluation"
        self.result: Finished = self.job.run_evaluate(
            ["--model", str(self.model_input), "--data", str(trained.job.channel), "--output", str(self.output)],
            label="evaluate.py (8 val images)",
        )
        self.report = json.loads((self.output / "evaluation.json").read_text()) if self.result.returncode == 0 else {}


@pytest.fixture(scope="module")
def evaluated(trained: TrainedJob, tmp_path_factory: pytest.TempPathFactory) -> Evaluated:
    result = Evaluated(trained, tmp_path_factory.mktemp("evaluate"))
    assert result.result.returncode == 0, result.result.stdout[-3000:] + result.result.stderr[-3000:]
    return result


def _plain_numbers(value: object) -> bool:
    if isinstance(value, dict):
        return all(_plain_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain_numbers(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (int, str))


def test_evaluation_json_has_the_contract_shape(evaluated: Evaluated) -> None:
    report = evaluated.report
    assert report["schema_version"] == 1
    assert set(report["metrics"]) == {"mAP50", "mAP50_95", "precision", "recall"}
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in report["metrics"].values())
    assert set(report["per_class"]) == set(NAMES)
    for row in report["per_class"].values():
        assert set(row) == {"mAP50", "mAP50_95", "precision", "recall", "images", "instances"}
        assert isinstance(row["images"], int) and isinstance(row["instances"], int)
    assert _plain_numbers(report)
    # Std:JsonGet paths are JSONPath: every key on the way to a metric is a plain identifier.
    assert all(k.replace("_", "").isalnum() for k in report["metrics"])


def test_evaluated_block_describes_the_inputs(evaluated: Evaluated) -> None:
    done = evaluated.report["evaluated"]
    assert done["model"] == "model.tar.gz"  # found in the folder given as --model
    assert done["dataset"] == str(evaluated.trained.job.channel)
    assert done["split"] == "val" and done["images"] == 8 and done["imgsz"] == 64
    assert done["instances"] == evaluated.trained.dataset.boxes["val"]
    assert done["classes"] == list(NAMES)
    assert done["ultralytics_version"] == "8.4.190"
    assert sum(row["instances"] for row in evaluated.report["per_class"].values()) == done["instances"]


def test_no_exit_message_on_success(evaluated: Evaluated) -> None:
    assert not (evaluated.job.output_dir / "message").exists()


def test_eval_metrics_join_the_training_run_in_mlflow(evaluated: Evaluated) -> None:
    from mlflow.tracking import MlflowClient

    run_id = json.loads((evaluated.trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    client = MlflowClient(evaluated.trained.server.uri)
    metrics = client.get_run(run_id).data.metrics
    assert metrics["eval/mAP50-95"] == pytest.approx(evaluated.report["metrics"]["mAP50_95"])
    assert metrics["eval/mAP50"] == pytest.approx(evaluated.report["metrics"]["mAP50"])
    assert {"eval/precision", "eval/recall"} <= set(metrics)
    assert [a.path for a in client.list_artifacts(run_id, "evaluation")] == ["evaluation/evaluation.json"]


def test_best_pt_given_directly_gives_the_same_metrics(
    evaluated: Evaluated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = Job(tmp_path / "direct")
    best = evaluated.trained.job.model_dir / "best.pt"
    args = [
        "--model",
        str(best),
        "--data",
        str(evaluated.trained.job.channel),
        "--output",
        str(tmp_path / "out"),
        "--imgsz",
        "64",
    ]
    assert run_evaluate_in_process(job, args, monkeypatch) == 0
    report = json.loads((tmp_path / "out" / "evaluation.json").read_text())
    assert report["metrics"] == pytest.approx(evaluated.report["metrics"])
    assert report["evaluated"]["model"] == "best.pt"


def test_a_missing_model_fails_with_an_exit_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained: TrainedJob
) -> None:
    job = Job(tmp_path / "missing")
    args = ["--model", str(tmp_path / "nowhere"), "--data", str(trained.job.channel), "--output", str(tmp_path / "out")]
    assert run_evaluate_in_process(job, args, monkeypatch) == 1
    message = (job.output_dir / "message").read_text()
    assert str(tmp_path / "nowhere") in message and "Fix:" in message
    assert not (tmp_path / "out" / "evaluation.json").exists()


def test_bad_arguments_fail_with_an_exit_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = Job(tmp_path / "args")
    assert run_evaluate_in_process(job, ["--split", "holdout"], monkeypatch) == 1
    message = (job.output_dir / "message").read_text()
    assert "--split" in message and "holdout" in message and "usage:" in message


def test_a_dataset_with_other_classes_is_refused(
    evaluated: Evaluated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_dataset(
        tmp_path / "cats", train=0, val=4, yaml_text="train: images/val\nval: images/val\nnames: ['cat', 'dog']\n"
    )
    job = Job(tmp_path / "classes")
    best = evaluated.trained.job.model_dir / "best.pt"
    assert (
        run_evaluate_in_process(
            job, ["--model", str(best), "--data", str(other.root), "--output", str(tmp_path / "o")], monkeypatch
        )
        == 1
    )
    message = (job.output_dir / "message").read_text()
    assert "['square', 'disc']" in message and "['cat', 'dog']" in message
