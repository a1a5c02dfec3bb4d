"""Check hyperparameters against Ultralytics' own list of train arguments, before any training starts.

Every problem is reported at once, each naming the key, the bad value, where it came from and what is
allowed. Ultralytics would otherwise fail minutes later (after the dataset scan) or, for some keys, run
with a silently adjusted value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .devices import gpus_named
from .errors import ProblemList
from .hyperparameter_sources import RawHyperparameters

TRAIN_DOCS = "https://docs.ultralytics.com/modes/train/#train-settings"
AUTO = "auto"
AUTO_KEYS = ("batch", "workers", "cache")  # chosen from the machine when absent or 'auto' (throughput.py)
DEFAULT_MODEL = "yolo11n.pt"  # pretrained COCO weights: the usual starting point for fine-tuning

# Keys the container sets itself: the user cannot point Ultralytics elsewhere without breaking the contract.
MANAGED_KEYS: dict[str, str] = {
    "data": "the dataset comes from the 'training' channel (SM_CHANNEL_TRAINING)",
    "project": "the run folder is placed in SM_OUTPUT_DATA_DIR by the container",
    "name": "the run folder is placed in SM_OUTPUT_DATA_DIR by the container",
    "save_dir": "the run folder is placed in SM_OUTPUT_DATA_DIR by the container",
    "exist_ok": "the run folder is managed by the container",
    "resume": "resuming is automatic from the checkpoint dir (SM_CHECKPOINT_DIR)",
    "mode": "this entrypoint only trains",
    "save": "checkpoints are saved every epoch for managed-spot resume; they cannot be turned off",
}
OPTIMIZERS = ("SGD", "MuSGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop", "auto")
CACHE_VALUES = ("ram", "disk")


@dataclass(frozen=True)
class TrainingRequest:
    """What the user asked for, checked: Ultralytics overrides plus the keys left for the machine to choose."""

    model: str  # a name Ultralytics knows (yolo11n.pt, yolo11n.yaml) or an absolute path to a file
    overrides: dict[str, Any]  # Ultralytics train args (batch_size renamed to batch), without model
    auto: frozenset[str]  # subset of AUTO_KEYS to choose from the machine
    given: dict[str, Any] = field(default_factory=dict)  # the user's values as given (after decoding), by our key

    @property
    def epochs(self) -> int:
        return int(self.overrides["epochs"])

    @property
    def imgsz(self) -> int:
        return int(self.overrides["imgsz"])


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int_at_least(minimum: int, example: str) -> Callable[[Any], tuple[Any, str | None]]:
    def check(value: Any) -> tuple[Any, str | None]:
        if _is_int(value) and int(value) >= minimum:
            return int(value), None
        return value, f"must be a whole number >= {minimum} (e.g. {example})"

    return check


def _check_imgsz(value: Any) -> tuple[Any, str | None]:
    if _is_int(value) and int(value) >= 32:
        return int(value), None
    return value, "must be a whole number of pixels >= 32, ideally a multiple of 32 (e.g. imgsz=640)"


def _check_batch(value: Any) -> tuple[Any, str | None]:
    if _is_int(value) and (int(value) >= 1 or int(value) == -1):
        return int(value), None
    if _is_number(value) and 0.0 < float(value) < 1.0:
        return float(value), None
    return value, (
        "must be 'auto' (chosen from the machine), a whole number >= 1, -1 (Ultralytics AutoBatch) "
        "or a GPU memory fraction between 0 and 1 (e.g. batch_size=16)"
    )


def _check_workers(value: Any) -> tuple[Any, str | None]:
    if _is_int(value) and int(value) >= 0:
        return int(value), None
    return value, "must be 'auto' (chosen from the machine) or a whole number >= 0 (e.g. workers=8)"


def _check_cache(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, str) and value.lower() in CACHE_VALUES:
        return value.lower(), None
    return value, "must be 'auto' (chosen from the machine), true, false, 'ram' or 'disk'"


def _check_optimizer(value: Any) -> tuple[Any, str | None]:
    by_lower = {name.lower(): name for name in OPTIMIZERS}
    if isinstance(value, str) and value.lower() in by_lower:
        return by_lower[value.lower()], None
    return value, f"must be one of {', '.join(OPTIMIZERS)}"


def _check_lr0(value: Any) -> tuple[Any, str | None]:
    if _is_number(value) and 0.0 < float(value) <= 1.0:
        return float(value), None
    return value, "must be a number > 0 and <= 1 (e.g. lr0=0.01)"


def _check_device(value: Any) -> tuple[Any, str | None]:
    # Several GPUs ('0,1' or [0, 1]) make Ultralytics start its own DDP processes; the per-epoch hooks go with
    # them (Ultralytics 8.4 hands its callbacks to the DDP processes), see devices.py.
    if isinstance(value, (list, tuple)):
        if not value or not all(_is_int(v) and int(v) >= 0 for v in value):
            return value, "must list GPU indices (e.g. device=0,1 or device=[0, 1])"
        return ",".join(str(int(v)) for v in value), None
    return (str(value) if _is_int(value) else value), None


def is_autobatch(batch: Any) -> bool:
    """batch -1 or a GPU memory fraction: Ultralytics' AutoBatch chooses the batch size."""
    return _is_number(batch) and float(batch) < 1


def _check_task(value: Any) -> tuple[Any, str | None]:
    if value == "detect":
        return value, None
    return value, "must be 'detect': this container trains object detection models"


KEY_RULES: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "epochs": _int_at_least(1, "epochs=100"),
    "patience": _int_at_least(0, "patience=50"),
    "seed": _int_at_least(0, "seed=0"),
    "imgsz": _check_imgsz,
    "batch": _check_batch,
    "workers": _check_workers,
    "cache": _check_cache,
    "optimizer": _check_optimizer,
    "lr0": _check_lr0,
    "device": _check_device,
    "task": _check_task,
}


def _describe(key: str, value: Any, raw: RawHyperparameters) -> str:
    """How the user wrote it: the key they used, the value, and which source it came from."""
    return f"hyperparameter '{key}' = {value!r} (from {raw.sources.get(key, 'defaults')})"


def _check_with_ultralytics(key: str, value: Any) -> tuple[Any, str | None]:
    """Ultralytics' own type and range check for the keys this module has no rule of its own for."""
    from ultralytics.cfg import check_cfg

    probe = {key: value}
    try:
        check_cfg(probe, hard=True)
    except (TypeError, ValueError) as e:
        return value, f"is rejected by Ultralytics: {e}"
    return probe[key], None


def _resolve_model(value: Any, training_channel: Path) -> tuple[str, str | None]:
    """A file (absolute, relative to the working dir or to the training channel) or a name Ultralytics knows."""
    if not isinstance(value, str) or not value.strip():
        return str(value), "must be a model name such as yolo11n.pt / yolo11n.yaml, or a path to a .pt file"
    name = value.strip()
    for candidate in (Path(name), training_channel / name):
        if candidate.is_file():
            return str(candidate.resolve()), None
    suffix = Path(name).suffix.lower()
    if suffix == ".pt":
        from ultralytics.utils import ONLINE, SETTINGS
        from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES

        if name not in GITHUB_ASSETS_NAMES:
            return name, (
                "is neither a file (looked in the working dir and the training channel) nor an Ultralytics "
                "model name; use e.g. yolo11n.pt, yolo11s.pt, or put your .pt file in the training channel"
            )
        if any(s in name for s in ("-cls", "-seg", "-sem", "-pose", "-obb", "-depth", "-oiv7", "-objv1")):
            return name, "is not an object detection model; use a detection model such as yolo11n.pt"
        if not ONLINE and not (Path(SETTINGS["weights_dir"]) / name).is_file():
            return name, (
                "must be downloaded but this machine is offline (YOLO_OFFLINE or no network); put the .pt "
                "file in the training channel, or train from scratch with a .yaml such as yolo11n.yaml"
            )
        return name, None
    if suffix in (".yaml", ".yml"):
        from ultralytics.nn.tasks import guess_model_task, yaml_model_load

        try:
            config = yaml_model_load(name)
        except Exception as e:  # noqa: BLE001 - any failure to load means the name is unusable; report it
            return name, f"is not a model config Ultralytics knows ({e}); use e.g. yolo11n.yaml"
        task = guess_model_task(config)
        if task != "detect":
            return name, f"is a '{task}' model config; use an object detection config such as yolo11n.yaml"
        return name, None
    return name, "must end with .pt (weights) or .yaml (architecture to train from scratch)"


def resolve_training_request(raw: RawHyperparameters, training_channel: Path) -> TrainingRequest:
    """Check every key; raise ProblemList naming each bad one, or return what to train."""
    from ultralytics.utils import DEFAULT_CFG_DICT

    problems: list[str] = []
    values = dict(raw.values)
    given = dict(values)

    if "batch_size" in values:
        if "batch" in values and values["batch"] != values["batch_size"]:
            problems.append(
                f"hyperparameters 'batch_size' = {values['batch_size']!r} and 'batch' = {values['batch']!r} "
                "disagree: give only batch_size"
            )
        values["batch"] = values.pop("batch_size")
    given_name = {"batch": "batch_size" if "batch_size" in raw.values else "batch"}  # the name the user used

    model, model_problem = _resolve_model(values.pop("model", DEFAULT_MODEL), training_channel)
    if model_problem:
        problems.append(f"{_describe('model', raw.values.get('model', DEFAULT_MODEL), raw)} {model_problem}")

    overrides: dict[str, Any] = {}
    auto: set[str] = {k for k in AUTO_KEYS if k not in values}
    for key, value in values.items():
        shown = _describe(given_name.get(key, key), value, raw)
        if key in MANAGED_KEYS:
            problems.append(f"{shown} cannot be set: {MANAGED_KEYS[key]}")
            continue
        if key not in DEFAULT_CFG_DICT:
            close = difflib.get_close_matches(key, [*DEFAULT_CFG_DICT, "batch_size"], n=3)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            problems.append(
                f"{shown} is not an Ultralytics train argument: {hint}allowed are batch_size and the "
                f"Ultralytics train settings ({TRAIN_DOCS})"
            )
            continue
        if key in AUTO_KEYS and isinstance(value, str) and value.lower() == AUTO:
            auto.add(key)
            continue
        rule = KEY_RULES.get(key, lambda v, k=key: _check_with_ultralytics(k, v))
        checked, message = rule(value)
        if message:
            problems.append(f"{shown} {message}")
        else:
            overrides[key] = checked

    if is_autobatch(overrides.get("batch")) and gpus_named(overrides.get("device", "")) > 1:
        problems.append(
            f"{_describe(given_name['batch'], values['batch'], raw)} asks for Ultralytics' AutoBatch, which runs "
            f"on one GPU, but {_describe('device', overrides['device'], raw)} names several: give a whole batch "
            "size (the total over the GPUs, e.g. batch_size=64) or one device"
        )

    if problems:
        raise ProblemList(
            "Invalid hyperparameters", problems, "correct or remove the keys above, then start the job again"
        )

    overrides.setdefault("epochs", DEFAULT_CFG_DICT["epochs"])
    overrides.setdefault("imgsz", DEFAULT_CFG_DICT["imgsz"])
    given.setdefault("model", DEFAULT_MODEL)
    return TrainingRequest(model=model, overrides=overrides, auto=frozenset(auto), given=given)
