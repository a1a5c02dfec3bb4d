"""One MLflow run per job, best effort: training never fails or stalls because of the tracking server.

- On when MLFLOW_TRACKING_URI is set: an http(s) URL, or a SageMaker managed MLflow tracking server ARN
  (the sagemaker-mlflow plugin signs those requests with the job's AWS credentials).
- Experiment MLFLOW_EXPERIMENT_NAME (default yolo-training); run named after the pipeline execution
  (YOLOPS_EXECUTION_ID), else the training job (TRAINING_JOB_NAME), else a timestamp.
- The run id is kept in the checkpoint dir, so a job restarted after a spot interruption continues the same
  run; mlflow_run.json in the model dir tells later steps (evaluate.py, the registry) which run it was.
- MLflow's HTTP client retries 7 times with exponential backoff and waits 120 s per request by default:
  minutes per call against a dead server. The job bounds both (unless set explicitly) and checks once, up
  front, that the server answers. After the first failed call nothing more is sent; everything not logged
  is listed in a warning at the end and in mlflow_run.json.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .json_files import read_json_object, write_json_atomic
from .log import info, warn

RUN_FILE = "mlflow_run.json"
DEFAULT_EXPERIMENT = "yolo-training"
# Applied with setdefault, so a user's explicit MLFLOW_HTTP_* settings win.
BOUNDED_HTTP = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}
# The up-front reachability check: one try, a short timeout.
PROBE_HTTP = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
MAX_PARAMS_PER_CALL = 100  # MLflow's log_batch limits
MAX_METRICS_PER_CALL = 1000


def redact(uri: str) -> str:
    """Drop user:password@ from a URL before it is printed or written to a file."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _log_artifact(client: Any, run_id: str, path: Path, folder: str | None) -> None:
    client.log_artifact(run_id, str(path), folder)


class MlflowTracker:
    """Logs to one MLflow run; every call is best effort and recorded when it did not happen."""

    def __init__(self, tracking_uri: str | None, experiment_name: str = DEFAULT_EXPERIMENT) -> None:
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.run_id: str | None = None
        self.experiment_id: str | None = None
        self.reason: str | None = None if tracking_uri else "MLFLOW_TRACKING_URI is not set"
        self.not_logged: list[str] = []
        self._client: Any = None
        self._failure: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MlflowTracker:
        uri = env.get("MLFLOW_TRACKING_URI", "").strip() or None
        experiment = env.get("MLFLOW_EXPERIMENT_NAME", "").strip() or DEFAULT_EXPERIMENT
        return cls(uri, experiment)

    def _previous_run(self, client: Any, state_file: Path) -> Any:
        """The still active run of an interrupted attempt of this job on this same server, else None."""
        from mlflow.exceptions import MlflowException

        stored = read_json_object(state_file) or {}
        if not stored.get("run_id") or stored.get("tracking_uri") != redact(self.tracking_uri or ""):
            return None
        try:
            run = client.get_run(stored["run_id"])
        except MlflowException as e:  # deleted, or another server behind the same URI: start a new run
            warn(f"MLflow: the run {stored['run_id']} of the interrupted attempt is gone ({e}); starting a new run")
            return None
        return run if run.info.lifecycle_stage == "active" else None

    def _connect(self) -> Any:
        """A client whose server answered one quick request; raises when it did not."""
        for key, value in BOUNDED_HTTP.items():
            os.environ.setdefault(key, value)
        if not (self.tracking_uri or "").startswith("arn:"):
            # sagemaker-mlflow's request-header plugin parses the tracking URI as an ARN on every request and
            # MLflow logs its IndexError as a warning each time: noise for a plain http(s) server.
            logging.getLogger("mlflow.tracking.request_header.registry").setLevel(logging.ERROR)
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=self.tracking_uri)
        with _environment(PROBE_HTTP):
            client.search_experiments(max_results=1)
        return client

    def _disable(self, error: Exception) -> None:
        shown = redact(self.tracking_uri or "")
        self.reason = (
            f"MLflow tracking server {shown} unreachable or refused the request: {type(error).__name__}: {error}"[:600]
        )
        warn(f"{self.reason}. The job goes on; nothing is logged to MLflow.")

    def start(self, run_name: str, tags: Mapping[str, str], state_file: Path) -> None:
        """Check the server once, then create the run or continue the one of an interrupted attempt whose id
        state_file (in the checkpoint dir) holds; the run id is stored there at once."""
        if not self.tracking_uri:
            info("MLflow: MLFLOW_TRACKING_URI is not set, no MLflow run is logged")
            return
        shown = redact(self.tracking_uri)
        try:
            client = self._connect()
            experiment = client.get_experiment_by_name(self.experiment_name)
            self.experiment_id = experiment.experiment_id if experiment else self._create_experiment(client)
            run = self._previous_run(client, state_file)
            if run is not None:
                client.update_run(run.info.run_id, status="RUNNING")
                self.run_id = run.info.run_id
                info(f"MLflow: continuing run {self.run_id} of the interrupted attempt at {shown}")
            else:
                created = client.create_run(self.experiment_id, run_name=run_name, tags=dict(tags))
                self.run_id = created.info.run_id
                info(f"MLflow: run {self.run_id} ('{run_name}') in experiment '{self.experiment_name}' at {shown}")
        except Exception as e:  # noqa: BLE001 - any failure here means "no tracking", never "no training"
            self._disable(e)
            self.not_logged.append("the whole run (params, per-epoch metrics, artifacts)")
            return
        self._client = client
        write_json_atomic(state_file, self.record())

    def attach(self, run_id: str) -> None:
        """Log into an existing run (evaluate.py adds its metrics to the training job's run)."""
        if not self.tracking_uri:
            return
        try:
            client = self._connect()
            run = client.get_run(run_id)
        except Exception as e:  # noqa: BLE001 - best effort, reported
            self._disable(e)
            return
        self._client, self.run_id, self.experiment_id = client, run.info.run_id, run.info.experiment_id

    def _create_experiment(self, client: Any) -> str:
        from mlflow.exceptions import MlflowException

        try:
            return str(client.create_experiment(self.experiment_name))
        except MlflowException:
            # Another job created it between our lookup and our create: use theirs.
            experiment = client.get_experiment_by_name(self.experiment_name)
            if experiment is None:
                raise
            return str(experiment.experiment_id)

    def _call(self, what: str, action: Callable[[Any, str], None]) -> None:
        if self.run_id is None:
            return  # disabled: the reason was said once at start
        if self._failure is not None:
            self.not_logged.append(what)
            return
        try:
            action(self._client, self.run_id)
        except Exception as e:  # noqa: BLE001 - a tracking failure is reported, training goes on
            self._failure = f"{type(e).__name__}: {e}"[:400]
            self.not_logged.append(what)
            warn(f"MLflow: could not log {what} ({self._failure}); nothing more is sent to MLflow for this job")

    def log_params(self, params: Mapping[str, Any]) -> None:
        def action(client: Any, run_id: str) -> None:
            from mlflow.entities import Param

            existing = client.get_run(run_id).data.params
            for key, value in params.items():
                if key in existing and existing[key] != str(value):
                    warn(f"MLflow: param {key} stays {existing[key]!r} from the first attempt (now {value!r})")
            new = [Param(k, str(v)) for k, v in params.items() if k not in existing]
            for i in range(0, len(new), MAX_PARAMS_PER_CALL):
                client.log_batch(run_id, params=new[i : i + MAX_PARAMS_PER_CALL])

        self._call("params", action)

    def log_metrics(self, step: int, metrics: Mapping[str, float], what: str) -> None:
        def action(client: Any, run_id: str) -> None:
            from mlflow.entities import Metric

            now = int(time.time() * 1000)
            batch = [Metric(k, float(v), now, step) for k, v in metrics.items() if math.isfinite(v)]
            client.log_batch(run_id, metrics=batch)

        self._call(what, action)

    def log_epoch(self, epoch: int, metrics: Mapping[str, float]) -> None:
        self.log_metrics(epoch, metrics, f"metrics of epoch {epoch}")

    def log_missing_epochs(self, epochs: Mapping[int, Mapping[str, float]]) -> list[int]:
        """Log each epoch's metrics (epoch -> name -> value) that the run's history lacks, as on a resume after
        an interruption that came between a checkpoint and its MLflow call. Returns the epochs that got any."""
        caught_up: list[int] = []

        def action(client: Any, run_id: str) -> None:
            from mlflow.entities import Metric

            names = sorted({name for metrics in epochs.values() for name in metrics})
            logged = {name: {m.step for m in client.get_metric_history(run_id, name)} for name in names}
            now = int(time.time() * 1000)
            batch = [
                Metric(name, float(value), now, epoch)
                for epoch, metrics in sorted(epochs.items())
                for name, value in metrics.items()
                if epoch not in logged[name] and math.isfinite(value)
            ]
            for i in range(0, len(batch), MAX_METRICS_PER_CALL):
                client.log_batch(run_id, metrics=batch[i : i + MAX_METRICS_PER_CALL])
            caught_up.extend(sorted({m.step for m in batch}))

        if epochs:
            self._call(f"metrics of epochs {min(epochs)}..{max(epochs)} missing from the run", action)
        if caught_up:
            info(
                f"MLflow: logged the metrics of epoch{'s' if len(caught_up) > 1 else ''} "
                f"{', '.join(map(str, caught_up))}, finished before the interruption but not in the run yet"
            )
        return caught_up

    def log_artifacts(self, files: Mapping[Path, str | None]) -> None:
        """files: local file -> artifact folder in the run (None for the run's top)."""
        for path, folder in files.items():
            self._call(f"artifact {path.name}", functools.partial(_log_artifact, path=path, folder=folder))

    def finish(self, succeeded: bool) -> None:
        """Mark the run FINISHED or FAILED and say what was not logged."""
        self._call(
            "the run's end status",
            lambda client, run_id: client.set_terminated(run_id, "FINISHED" if succeeded else "FAILED"),
        )
        self.report_not_logged()

    def report_not_logged(self) -> None:
        if self.not_logged and self.tracking_uri:
            warn(
                f"MLflow: not logged to {redact(self.tracking_uri)}: {', '.join(self.not_logged)}. "
                "The job's files are complete; mlflow_run.json says which run (if any) has the rest."
            )

    def record(self) -> dict[str, Any]:
        """The content of mlflow_run.json."""
        if self.run_id is None:
            return {"run_id": None, "reason": self.reason}
        content: dict[str, Any] = {
            "run_id": self.run_id,
            "experiment_id": self.experiment_id,
            "tracking_uri": redact(self.tracking_uri or ""),
        }
        if self.not_logged:
            content["not_logged"] = list(self.not_logged)
        return content
