"""Per-epoch checkpoints in the checkpoint dir, and resuming from them after a managed-spot interruption.

SageMaker syncs /opt/ml/checkpoints (SM_CHECKPOINT_DIR) to S3 while the job runs and copies it back when a
spot job restarts. After every epoch the job copies there, each file atomically (copy to a temporary name,
then rename, so a kill never leaves half a file): results.csv, args.yaml, best.pt when it changed, last.pt,
then yolops-checkpoint.json (what training this is). On start, a checkpoint of the same training resumes
with Ultralytics' resume from last.pt: the remaining epochs only. last.pt is the truth about progress, and
results.csv is cut back to its epoch, so each epoch appears once in results.csv.

A checkpoint of a different training (other hyperparameters or dataset) is refused rather than resumed
into a model nobody asked for: the fix is a fresh checkpoint location per job.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import JobFailure
from .json_files import write_json_atomic

STATE_FILE = "yolops-checkpoint.json"
STATE_FORMAT = 1
RUN_FILES = ("results.csv", "args.yaml")  # in the Ultralytics run folder
WEIGHT_FILES = ("best.pt", "last.pt")  # in <run folder>/weights


def copy_atomic(source: Path, target: Path) -> None:
    """Copy under a temporary name in the target's folder, then rename over the target (atomic on POSIX)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def canonical(value: Any) -> Any:
    """JSON round trip, so that tuples and lists (or 2 and 2.0 as written) compare as they were stored."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


@dataclass(frozen=True)
class ResumePoint:
    completed_epochs: int
    finished: bool  # all epochs (or early stopping) done; only the final outputs are missing


def truncate_results_csv(path: Path, completed_epochs: int) -> None:
    """Keep the header and the rows of epochs 1..completed_epochs (a later row belongs to a lost epoch)."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = lines[:1] + [line for line in lines[1:] if line.strip() and float(line.split(",", 1)[0]) <= completed_epochs]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


class CheckpointStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def state_file(self) -> Path:
        return self.directory / STATE_FILE

    def save_epoch(
        self, run_dir: Path, completed_epochs: int, best_changed: bool, done: bool, identity: dict[str, Any]
    ) -> None:
        """Copy the run's progress after an epoch; the state file goes last, when the rest is in place."""
        for name in RUN_FILES:
            if (run_dir / name).is_file():
                copy_atomic(run_dir / name, self.directory / name)
        best = run_dir / "weights" / "best.pt"
        if best.is_file() and (best_changed or not (self.directory / "best.pt").is_file()):
            copy_atomic(best, self.directory / "best.pt")
        copy_atomic(run_dir / "weights" / "last.pt", self.directory / "last.pt")
        write_json_atomic(
            self.state_file,
            {
                "format": STATE_FORMAT,
                "completed_epochs": completed_epochs,
                "done": done,
                "identity": canonical(identity),
            },
        )

    def find_resume_point(self, identity: dict[str, Any], epochs: int) -> ResumePoint | None:
        """The progress of this same training in the checkpoint dir, or None for a fresh start."""
        if not self.state_file.is_file():
            return None
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise JobFailure(
                f"The checkpoint state {self.state_file} cannot be read ({e}). "
                "Fix: empty the checkpoint location (CheckpointConfig.S3Uri) to start over."
            ) from e
        stored = state.get("identity", {})
        current = canonical(identity)
        if stored != current:
            differing = sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))
            details = "; ".join(f"{k}: checkpoint {stored.get(k)!r} vs now {current.get(k)!r}" for k in differing)
            raise JobFailure(
                f"The checkpoint dir {self.directory} holds a checkpoint of a different training ({details[:500]}). "
                "Fix: give each training job its own checkpoint location (CheckpointConfig.S3Uri), or empty it."
            )
        last = self.directory / "last.pt"
        if not last.is_file():
            raise JobFailure(
                f"The checkpoint dir {self.directory} has {STATE_FILE} but no last.pt (an incomplete copy). "
                "Fix: empty the checkpoint location to start over."
            )
        from ultralytics.utils.patches import torch_load

        completed = int(torch_load(last, map_location="cpu").get("epoch", -1)) + 1
        finished = completed >= epochs or (bool(state.get("done")) and state.get("completed_epochs") == completed)
        return ResumePoint(completed_epochs=completed, finished=finished)

    def restore_into(self, run_dir: Path, completed_epochs: int) -> Path:
        """Put the checkpoint back into a fresh Ultralytics run folder; returns its weights/last.pt."""
        for name in WEIGHT_FILES:
            if (self.directory / name).is_file():
                copy_atomic(self.directory / name, run_dir / "weights" / name)
        for name in RUN_FILES:
            if (self.directory / name).is_file():
                copy_atomic(self.directory / name, run_dir / name)
        truncate_results_csv(run_dir / "results.csv", completed_epochs)
        return run_dir / "weights" / "last.pt"
