"""Which runtime runs the model: torch on best.pt, or ONNX Runtime (CPU) on best.onnx; YOLOPS_INFERENCE_RUNTIME.

- torch: best.pt, on the GPU when there is one.
- onnx: best.onnx; the server does not start (/ping 503 with the reason) when the model has none.
- auto: torch when CUDA is available (the onnxruntime installed is the CPU build). Otherwise, when the model has
  a best.onnx, both run a few warm predictions of an imgsz x imgsz image, interleaved so that a burst of load on
  the machine hits both alike, and the one with the lower median time is kept. The figures and the choice are
  logged on stderr. Without best.onnx, or when it cannot be loaded, torch.

The server never exports best.onnx itself: it serves the files the training wrote, evaluated and registered, and
an export at start-up would add seconds to every cold start (a serverless endpoint starts cold often). A model
without best.onnx is one whose export failed (the training log says why) or one trained before the export.

best.onnx has a static input shape (yolops_training/onnx_export.py), and Ultralytics runs a static model at its
exported size whatever imgsz a request asks for. A request at another size is therefore run by torch, which
takes any size: LoadedModel.runtime_for, and the answer's `model.runtime` says which one answered.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yolops_training.errors import JobFailure

from .settings import AUTO, ENV_INFERENCE_RUNTIME, ONNX, TORCH

TIMED_PREDICTIONS = 5  # per runtime, after one warm-up each: about a second for yolo11n at 640 on 2 CPU cores


def log(message: str) -> None:
    print(f"yolops serve: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class RuntimeChoice:
    runtime: str  # torch | onnx
    reason: str
    onnx_model: Any = None  # the ONNX model, kept only when it was chosen
    onnx_imgsz: int | None = None  # the one size best.onnx takes (static shape)
    timings_ms: dict[str, float] = field(default_factory=dict)  # median ms per prediction, when both were timed


def timing_image(imgsz: int) -> Any:
    """Noise rather than a blank image, so that the timed predictions do some of the usual post-processing."""
    import numpy as np

    return np.random.default_rng(0).integers(0, 256, (imgsz, imgsz, 3), dtype=np.uint8)


def load_onnx(path: Path) -> tuple[Any, int]:
    """The ONNX model, warmed up, and the size it takes; raises JobFailure with the reason it cannot run."""
    from ultralytics import YOLO

    try:
        model = YOLO(str(path), task="detect")
        # The first prediction creates the ONNX Runtime session; the exported size is known once it exists.
        model.predict(timing_image(32), verbose=False)
        height, width = model.predictor.model.imgsz
    except Exception as e:  # a missing onnxruntime, a corrupt file: ONNX Runtime and Ultralytics raise many kinds
        raise JobFailure(f"Cannot run {path.name} with ONNX Runtime: {type(e).__name__}: {e}") from e
    if height != width:
        raise JobFailure(f"{path.name} takes {width}x{height} images; the server runs square exports only")
    return model, int(height)


def median_times_ms(models: dict[str, Any], imgsz: int, runs: int = TIMED_PREDICTIONS) -> dict[str, float]:
    """Median ms per prediction of each model on the same image, the models taking turns."""
    image = timing_image(imgsz)
    samples: dict[str, list[float]] = {name: [] for name in models}
    for name, model in models.items():  # warm-up: predictors built, caches filled
        model.predict(image, imgsz=imgsz, verbose=False)
    for _ in range(runs):
        for name, model in models.items():
            started = time.perf_counter()
            model.predict(image, imgsz=imgsz, verbose=False)
            samples[name].append((time.perf_counter() - started) * 1000.0)
    return {name: round(statistics.median(times), 2) for name, times in samples.items()}


def choose_runtime(requested: str, torch_model: Any, onnx_path: Path | None, imgsz: int, cuda: bool) -> RuntimeChoice:
    """The runtime for YOLOPS_INFERENCE_RUNTIME=requested; raises JobFailure when `onnx` cannot be had."""
    if requested == TORCH:
        return RuntimeChoice(TORCH, f"{ENV_INFERENCE_RUNTIME}={TORCH}")
    if requested == ONNX:
        if onnx_path is None:
            raise JobFailure(
                f"{ENV_INFERENCE_RUNTIME}={ONNX} but the model has no best.onnx (its training could not export one, "
                f"or ran before the export existed; the training log says which). Fix: set {ENV_INFERENCE_RUNTIME}="
                f"{AUTO} or {TORCH} to serve best.pt, or train the model again."
            )
        model, size = load_onnx(onnx_path)
        return RuntimeChoice(ONNX, f"{ENV_INFERENCE_RUNTIME}={ONNX}", model, size)
    if requested != AUTO:
        raise ValueError(f"unknown runtime {requested!r}")
    if cuda:
        return RuntimeChoice(TORCH, "CUDA is available, and the onnxruntime installed runs on the CPU only")
    if onnx_path is None:
        return RuntimeChoice(TORCH, "the model has no best.onnx")
    try:
        model, size = load_onnx(onnx_path)
    except JobFailure as e:
        return RuntimeChoice(TORCH, f"best.onnx cannot run here ({e})")
    if size != imgsz:
        return RuntimeChoice(TORCH, f"best.onnx takes {size}x{size} images, the model's default size is {imgsz}")
    timings = median_times_ms({TORCH: torch_model, ONNX: model}, imgsz)
    figures = f"torch {timings[TORCH]} ms, onnx {timings[ONNX]} ms"
    basis = f"median of {TIMED_PREDICTIONS} warm predictions of a {imgsz}x{imgsz} image each"
    if timings[ONNX] < timings[TORCH]:
        return RuntimeChoice(ONNX, f"faster on this machine: {figures} ({basis})", model, size, timings)
    return RuntimeChoice(TORCH, f"faster on this machine: {figures} ({basis})", timings_ms=timings)
