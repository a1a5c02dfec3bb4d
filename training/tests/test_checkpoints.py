"""Checkpoint dir bookkeeping: atomic copies, results.csv cut back to the saved epoch, identity checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from yolops_training.checkpoints import CheckpointStore, copy_atomic, truncate_results_csv
from yolops_training.errors import JobFailure

IDENTITY = {"hyperparameters": {"epochs": 4, "imgsz": 64}, "classes": ["a"], "images": {"train": 3, "val": 1}}


def fake_run(run_dir: Path, epochs: int) -> None:
    (run_dir / "weights").mkdir(parents=True, exist_ok=True)
    (run_dir / "weights" / "last.pt").write_bytes(b"last")
    (run_dir / "weights" / "best.pt").write_bytes(b"best")
    (run_dir / "args.yaml").write_text("epochs: 4\n")
    rows = "".join(f"{e},1.0,0.5\n" for e in range(1, epochs + 1))
    (run_dir / "results.csv").write_text("epoch,time,train/box_loss\n" + rows)


def test_truncate_results_csv_keeps_the_saved_epochs(tmp_path: Path) -> None:
    csv = tmp_path / "results.csv"
    csv.write_text("epoch,time,x\n1,0.1,2\n2,0.2,3\n3,0.3,4\n")
    truncate_results_csv(csv, 2)
    assert csv.read_text() == "epoch,time,x\n1,0.1,2\n2,0.2,3\n"


def test_copy_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    copy_atomic(tmp_path / "a", tmp_path / "ckpt" / "b")
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["b"]


def test_save_epoch_then_state_and_an_empty_dir_means_a_fresh_start(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "ckpt")
    assert store.find_resume_point(IDENTITY, 4) is None
    fake_run(tmp_path / "run", 2)
    store.save_epoch(tmp_path / "run", 2, best_changed=True, done=False, identity=IDENTITY)
    assert sorted(p.name for p in store.directory.iterdir()) == [
        "args.yaml",
        "best.pt",
        "last.pt",
        "results.csv",
        "yolops-checkpoint.json",
    ]


def test_another_training_is_refused_naming_what_differs(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "ckpt")
    fake_run(tmp_path / "run", 1)
    store.save_epoch(tmp_path / "run", 1, best_changed=True, done=False, identity=IDENTITY)
    other = {**IDENTITY, "classes": ["a", "b"]}
    with pytest.raises(JobFailure, match=r"different training \(classes: checkpoint \['a'\] vs now \['a', 'b'\]\)"):
        store.find_resume_point(other, 4)


def test_state_without_weights_is_an_incomplete_copy(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "ckpt")
    fake_run(tmp_path / "run", 1)
    store.save_epoch(tmp_path / "run", 1, best_changed=True, done=False, identity=IDENTITY)
    (store.directory / "last.pt").unlink()
    with pytest.raises(JobFailure, match=r"no last\.pt"):
        store.find_resume_point(IDENTITY, 4)


def test_restore_into_a_fresh_run_folder(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "ckpt")
    fake_run(tmp_path / "run", 3)
    store.save_epoch(tmp_path / "run", 3, best_changed=True, done=False, identity=IDENTITY)
    last = store.restore_into(tmp_path / "new", completed_epochs=2)
    assert last == tmp_path / "new" / "weights" / "last.pt" and last.read_bytes() == b"last"
    assert (tmp_path / "new" / "results.csv").read_text().splitlines()[-1].startswith("2,")
