"""The training job, start to end: inputs checked, dataset mirrored, settings chosen, train or resume,
per-epoch checkpoint + metrics line + MLflow, best.onnx exported, then the model dir. See training/README.md for
the contract."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoints import CheckpointStore, ResumePoint
from .dataset_checks import DatasetReport, check_dataset
from .dataset_layout import read_layout
from .dataset_mirror import mirror_dataset
from .dataset_stats_log import log_dataset_stats
from .devices import choose_devices
from .errors import JobFailure, ProblemList, run_with_reason_file
from .hyperparameter_rules import TrainingRequest, is_autobatch, resolve_training_request
from .hyperparameter_sources import RawHyperparameters, collect_hyperparameters
from .log import info
from .metrics_line import epoch_metrics, format_metrics_line, results_csv_metrics
from .mlflow_tracking import RUN_FILE, MlflowTracker
from .model_dir import publish, write_mlflow_record
from .onnx_export import export_best_onnx
from .sagemaker_env import TrainingPaths, instance_type, run_name
from .throughput import (
    choose_throughput_settings,
    cuda_device_count,
    model_scale,
    probe_machine,
    ram_cache_bytes,
)
from .ultralytics_run import effective_params, finish_completed_training, train
from .ultralytics_setup import prepare_ultralytics

RUN_FOLDER = "train"  # the Ultralytics run folder inside SM_OUTPUT_DATA_DIR
STATS_FOLDER = "dataset"  # the dataset statistics inside SM_OUTPUT_DATA_DIR
KILL_AFTER_CHECKPOINT_ENV = "YOLOPS_TEST_KILL_AFTER_CHECKPOINT"  # tests only, see kill_after_checkpoint


def check_inputs(raw: RawHyperparameters, channel: Path) -> tuple[TrainingRequest, DatasetReport]:
    """Hyperparameters and dataset, every problem of both reported together."""
    failures: list[JobFailure] = []
    request: TrainingRequest | None = None
    report: DatasetReport | None = None
    try:
        request = resolve_training_request(raw, channel)
    except JobFailure as e:
        failures.append(e)
    try:
        report = check_dataset(read_layout(channel, ("train", "val")))
    except JobFailure as e:
        failures.append(e)
    if len(failures) == 1:
        raise failures[0]
    if failures:
        problems = [p for f in failures for p in (f.problems if isinstance(f, ProblemList) else [str(f)])]
        raise ProblemList(
            "The job's hyperparameters and dataset are not usable",
            problems,
            "correct the items above and start the job again",
        )
    assert request is not None and report is not None
    return request, report


def choose_settings(request: TrainingRequest, report: DatasetReport, env: Mapping[str, str]) -> dict[str, Any]:
    """The Ultralytics args: the user's, plus the devices (every GPU) and batch/workers/cache chosen from the
    machine when left to us."""
    overrides = dict(request.overrides)
    devices = choose_devices(
        requested=overrides.get("device"),
        cuda_device_count=cuda_device_count(),
        env=env,
        autobatch=is_autobatch(overrides.get("batch")),
    )
    # Always explicit: a resumed training would otherwise take the device list stored in last.pt.
    overrides["device"] = devices.device
    info(f"device={devices.device}: {devices.reason}")
    if request.auto:
        machine = probe_machine(devices.first_gpu)
        choice = choose_throughput_settings(
            cpu_count=machine.cpu_count,
            gpu_memory_bytes=machine.gpu_memory_bytes,
            dataset_bytes=ram_cache_bytes(len(report.splits["train"].images), request.imgsz),
            free_ram_bytes=machine.free_ram_bytes,
            imgsz=request.imgsz,
            scale=model_scale(request.model),
            gpu_count=devices.gpu_count,
        )
        for key in sorted(request.auto):
            overrides[key] = getattr(choice, key)
            info(f"auto {key}={overrides[key]}: {choice.reasons[key]}")
        gpu = (
            f"{machine.gpu_name} ({machine.gpu_memory_bytes / 2**30:.0f} GiB)" if machine.gpu_memory_bytes else "no GPU"
        )
        info(f"machine: {machine.cpu_count} CPUs, {gpu}, {machine.free_ram_bytes / 2**30:.1f} GiB RAM free")
    return overrides


def checkpoint_identity(request: TrainingRequest, report: DatasetReport) -> dict[str, Any]:
    """What makes two attempts the same training: the hyperparameters as given and the dataset's shape."""
    return {
        "hyperparameters": request.given,
        "classes": list(report.names),
        "images": {name: len(split.images) for name, split in report.splits.items()},
    }


def _fresh_folder(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


@dataclass(frozen=True)
class PreparedJob:
    """Everything decided before training: what to train, on which data, with which Ultralytics args."""

    request: TrainingRequest
    report: DatasetReport
    overrides: dict[str, Any]  # Ultralytics args, the user's plus the ones chosen from the machine
    data_yaml: Path  # the resolved data.yaml of the mirror
    identity: dict[str, Any]  # what a checkpoint must match to be resumed


def prepare_job(paths: TrainingPaths, env: Mapping[str, str], argv: Sequence[str]) -> PreparedJob:
    raw = collect_hyperparameters(paths.hyperparameters_file, env, argv)
    if raw.ignored:
        info(f"ignoring SageMaker's own hyperparameters: {', '.join(raw.ignored)}")
    prepare_ultralytics(paths.work_dir)
    request, report = check_inputs(raw, paths.training_channel)
    for note in report.layout.notes:
        info(f"dataset {note}")
    for split in report.splits.values():
        info(f"dataset {split.summary()}")
    overrides = choose_settings(request, report, env)
    data_yaml = mirror_dataset(report, paths.work_dir)
    info(f"dataset mirrored for Ultralytics: {data_yaml}")
    return PreparedJob(request, report, overrides, data_yaml, checkpoint_identity(request, report))


def start_tracking(env: Mapping[str, str], checkpoint_dir: Path) -> MlflowTracker:
    tracker = MlflowTracker.from_env(env)
    tags = {"yolops.instance_type": instance_type(env)}
    for key, tag in (
        ("TRAINING_JOB_NAME", "sagemaker.training_job_name"),
        ("YOLOPS_EXECUTION_ID", "yolops.execution_id"),
    ):
        if env.get(key):
            tags[tag] = env[key]
    tracker.start(run_name(env), tags, checkpoint_dir / RUN_FILE)
    return tracker


def train_or_finish(
    job: PreparedJob,
    store: CheckpointStore,
    resume: ResumePoint | None,
    run_dir: Path,
    tracker: MlflowTracker,
    instance: str,
    kill_after: int | None = None,
) -> None:
    """A new training, the remaining epochs of an interrupted one, or only the final outputs of a done one.
    kill_after: see kill_after_checkpoint."""
    _fresh_folder(run_dir)
    args = {
        **job.overrides,
        "model": job.request.model,
        "data": str(job.data_yaml),
        "save_dir": str(run_dir),
        "exist_ok": True,
        "save": True,
    }
    if resume is None:
        epochs = job.request.epochs
        info(f"starting a new training of {epochs} epoch{'' if epochs == 1 else 's'}")
    else:
        last = store.restore_into(run_dir, resume.completed_epochs)
        info(f"resuming from the checkpoint dir {store.directory}: {resume.completed_epochs} epochs done")
        # An interruption between an epoch's checkpoint and its MLflow call loses that call: results.csv (cut
        # back to the checkpoint) is the record of the finished epochs, and the run gets what it lacks.
        tracker.log_missing_epochs(results_csv_metrics(run_dir / "results.csv"))
        # Ultralytics' resume re-reads the args stored in last.pt, paths of the interrupted attempt included;
        # data and save_dir (above) are passed again so they point at this attempt's mirror and run folder.
        args.update(model=str(last), resume=str(last))
        if resume.finished:
            finish_completed_training(run_dir, job.data_yaml, args)
            return

    def on_start(trainer: Any) -> None:
        tracker.log_params(effective_params(trainer, job.request.given, str(job.request.given["model"]), instance))

    def on_epoch_saved(trainer: Any) -> None:
        # The checkpoint first: once it is saved the epoch counts as done, and a resume logs to MLflow what an
        # interruption kept from it (above). The other order would log an epoch that a resume trains again.
        completed = trainer.epoch + 1
        best_changed = trainer.best_fitness == trainer.fitness
        store.save_epoch(run_dir, completed, best_changed, bool(trainer.stop), job.identity)
        if completed == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        metrics = epoch_metrics(trainer)
        print(format_metrics_line(completed, trainer.epochs, metrics), flush=True)
        tracker.log_epoch(completed, metrics)

    train(args, on_start=on_start, on_epoch_saved=on_epoch_saved)


def kill_after_checkpoint(env: Mapping[str, str]) -> int | None:
    """Fault injection for the resume tests: the epoch after whose checkpoint the job SIGKILLs itself, before it
    logs that epoch anywhere (the moment a spot interruption costs the most). Unset in real jobs."""
    value = env.get(KILL_AFTER_CHECKPOINT_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise JobFailure(f"{KILL_AFTER_CHECKPOINT_ENV}={value!r} must be an epoch number; unset it in real jobs")
    return int(value)


def artifact_folder(path: Path) -> str | None:
    """Where a model dir file goes in the MLflow run: weights/, plots/, or the run's top."""
    return {".pt": "weights", ".onnx": "weights", ".png": "plots"}.get(path.suffix)


def run_training(paths: TrainingPaths, env: Mapping[str, str], argv: Sequence[str]) -> None:
    started = time.time()
    kill_after = kill_after_checkpoint(env)
    job = prepare_job(paths, env, argv)
    store = CheckpointStore(paths.checkpoint_dir)
    resume = store.find_resume_point(job.identity, job.request.epochs)
    tracker = start_tracking(env, paths.checkpoint_dir)
    try:
        # Before the training: a run stopped halfway still tells what it was trained on.
        stats_folder = paths.output_data_dir / STATS_FOLDER
        log_dataset_stats(tracker, paths.training_channel, stats_folder, job.request.imgsz, job.report.layout)
        run_dir = paths.output_data_dir / RUN_FOLDER
        train_or_finish(job, store, resume, run_dir, tracker, instance_type(env), kill_after)
        export_best_onnx(run_dir / "weights")
        published = publish(run_dir, paths.model_dir, plots=bool(job.overrides.get("plots", True)))
        tracker.log_artifacts({path: artifact_folder(path) for path in published})
        tracker.finish(succeeded=True)
    except BaseException:
        tracker.finish(succeeded=False)
        raise
    write_mlflow_record(paths.model_dir, tracker.record())
    info(f"model dir {paths.model_dir}: {', '.join(sorted(p.name for p in paths.model_dir.iterdir()))}")
    info(f"done in {time.time() - started:.1f} s")


def main(argv: Sequence[str] | None = None) -> int:
    """The entrypoint of train.py: exit code 0, or 1 with the reason in ${SM_OUTPUT_DIR}/failure."""
    paths = TrainingPaths.from_env(os.environ)
    arguments = list(sys.argv[1:] if argv is None else argv)
    return run_with_reason_file(lambda: run_training(paths, os.environ, arguments), paths.failure_file, "training")
