"""best.onnx beside best.pt: the trained model exported for ONNX Runtime, at the end of a training.

The export is a by-product: the training's result is best.pt, and a failed export must not fail a training
that succeeded. It is logged as a warning and the model dir goes without best.onnx; the inference server then
runs best.pt with torch (yolops_serving/runtime_choice.py).

Options, and why:
- static shape (dynamic=False), batch 1, at the training's imgsz: what the server predicts at by default, and
  what ONNX Runtime runs fastest on the CPU. Ultralytics splits a larger batch into batches of one.
- CPU, fp32: the server runs ONNX Runtime on the CPU (onnxruntime, not onnxruntime-gpu, is installed).
- simplify=False: onnxslim would be one more package to pin, and Ultralytics' check_requirements would try to
  pip-install it (and onnxruntime) at export time when missing. Without it the export needs `onnx` alone.
- opset pinned, so a torch upgrade does not change the graph silently; 18 is what Ultralytics picks for torch
  2.4 and later, and every onnxruntime the locks hold runs it.
"""

from __future__ import annotations

import time
from pathlib import Path

from .log import info, warn

ONNX_FILE = "best.onnx"
ONNX_OPSET = 18


def export_onnx(weights: Path) -> Path:
    """Export weights (a .pt) to the .onnx beside it, at the imgsz it was trained at; raises on failure."""
    from ultralytics import YOLO

    model = YOLO(str(weights), task="detect")
    train_args = (getattr(model, "ckpt", None) or {}).get("train_args", {}) or {}
    imgsz = int(train_args.get("imgsz", 640))
    exported = model.export(
        format="onnx", imgsz=imgsz, batch=1, dynamic=False, simplify=False, opset=ONNX_OPSET, device="cpu", nms=False
    )
    path = Path(str(exported))
    if not path.is_file():
        raise RuntimeError(f"the exporter reported {exported} but wrote no such file")
    return path


def export_best_onnx(weights_dir: Path) -> Path | None:
    """weights_dir/best.onnx from weights_dir/best.pt, or None (with a warning) when the export fails."""
    weights = weights_dir / "best.pt"
    target = weights_dir / ONNX_FILE
    target.unlink(missing_ok=True)  # never publish a stale export next to new weights
    started = time.perf_counter()
    try:
        exported = export_onnx(weights)
        if exported != target:
            exported.replace(target)
    except Exception as e:  # noqa: BLE001 - any exporter error (torch, onnx, Ultralytics) leaves the training good
        target.unlink(missing_ok=True)
        warn(
            f"exporting {weights.name} to ONNX failed ({type(e).__name__}: {e}); the model dir goes without "
            f"{ONNX_FILE} and the inference server will run {weights.name} with torch"
        )
        return None
    size_mb, seconds = target.stat().st_size / 2**20, time.perf_counter() - started
    info(f"exported {ONNX_FILE} ({size_mb:.1f} MB, opset {ONNX_OPSET}, static shape) in {seconds:.1f} s")
    return target
