"""The server's runtime (YOLOPS_INFERENCE_RUNTIME): torch on best.pt, onnx on best.onnx, or auto; the real `serve`
on loopback with the model of the shared training (3 epochs at imgsz 64, so best.onnx takes 64x64 images)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TrainedJob
from inference_server import InferenceServer, run_serve_briefly
from starlette.testclient import TestClient

from yolops_serving.app import create_app
from yolops_serving.runtime_choice import choose_runtime
from yolops_serving.settings import ServingSettings, SettingsError
from yolops_training.onnx_export import ONNX_FILE

LOW_CONF = 0.001  # a 3-epoch model's scores are low (below 0.02): enough detections to compare the runtimes on
COMPARED_PER_IMAGE = 5  # the most confident detections of torch, each looked for among onnx's


def start(root: Path, model_dir: Path, runtime: str) -> InferenceServer:
    return InferenceServer(root, {"YOLOPS_MODEL_DIR": str(model_dir), "YOLOPS_INFERENCE_RUNTIME": runtime})


def ready(server: InferenceServer) -> dict[str, Any]:
    loading = {"error": "the model is loading"}
    status, body = server.ping_until(lambda status, body: status != 503 or body != loading)[-1]
    assert status == 200, (body, server.log_text())
    return body


def invoke(server: InferenceServer, body: bytes | str, content_type: str = "image/jpeg", **params: str) -> dict:
    response = httpx.post(
        f"{server.url}/invocations", content=body, headers={"Content-Type": content_type}, params=params, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()


def without_onnx(trained: TrainedJob, root: Path) -> Path:
    """The trained model dir as a training whose export failed leaves it: everything but best.onnx."""
    shutil.copytree(trained.job.model_dir, root, ignore=shutil.ignore_patterns(ONNX_FILE))
    return root


@pytest.fixture(scope="module")
def servers(trained: TrainedJob, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, InferenceServer]]:
    """One server per runtime, started together so that they load side by side."""
    root = tmp_path_factory.mktemp("runtimes")
    started = {runtime: start(root / runtime, trained.job.model_dir, runtime) for runtime in ("torch", "onnx", "auto")}
    try:
        for server in started.values():
            server.ping = ready(server)
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="module")
def val_jpegs(trained: TrainedJob) -> list[bytes]:
    return [path.read_bytes() for path in sorted((trained.dataset.root / "images" / "val").glob("*.jpg"))]


def box(detection: dict[str, Any]) -> list[float]:
    return [detection["box"][k] for k in ("x1", "y1", "x2", "y2")]


# ---------------------------------------------------------------------------------------------------- settings


def test_the_runtime_setting_defaults_to_auto_and_takes_each_runtime() -> None:
    assert ServingSettings.from_env({}).runtime == "auto"
    assert ServingSettings.from_env({"YOLOPS_INFERENCE_RUNTIME": " "}).runtime == "auto"
    for value, runtime in (("torch", "torch"), ("onnx", "onnx"), ("ONNX", "onnx"), (" auto ", "auto")):
        assert ServingSettings.from_env({"YOLOPS_INFERENCE_RUNTIME": value}).runtime == runtime


def test_a_bad_runtime_value_is_refused_with_the_variable_name() -> None:
    with pytest.raises(SettingsError, match=r"YOLOPS_INFERENCE_RUNTIME='tensorrt' must be one of auto, torch, onnx"):
        ServingSettings.from_env({"YOLOPS_INFERENCE_RUNTIME": "tensorrt"})


def test_serve_stops_on_a_bad_runtime_value_with_exit_2() -> None:
    result = run_serve_briefly({"YOLOPS_INFERENCE_RUNTIME": "gpu"})
    assert result.returncode == 2
    assert result.stderr.strip() == "yolops serve: YOLOPS_INFERENCE_RUNTIME='gpu' must be one of auto, torch, onnx"


def test_auto_keeps_torch_where_cuda_is_available(tmp_path: Path) -> None:
    """The onnxruntime installed is the CPU build: with a GPU, torch wins without a race (and without loading
    best.onnx, which is why no model is needed here)."""
    choice = choose_runtime("auto", None, tmp_path / ONNX_FILE, 64, cuda=True)
    assert (choice.runtime, choice.onnx_model, choice.timings_ms) == ("torch", None, {})
    assert "CUDA is available" in choice.reason


# ---------------------------------------------------------------------------------------------------- serving


@pytest.mark.slow
def test_ping_names_each_servers_runtime(servers: dict[str, InferenceServer]) -> None:
    assert servers["torch"].ping["runtime"] == "torch"
    assert servers["onnx"].ping["runtime"] == "onnx"
    assert servers["auto"].ping["runtime"] in ("torch", "onnx")
    versions = {server.ping["model_version"] for server in servers.values()}
    assert len(versions) == 1 and versions.pop().startswith("sha256:")  # the version names best.pt either way


@pytest.mark.slow
def test_torch_and_onnx_find_the_same_boxes(servers: dict[str, InferenceServer], val_jpegs: list[bytes]) -> None:
    compared = 0
    for jpeg in val_jpegs:
        torch_answer = invoke(servers["torch"], jpeg, conf=str(LOW_CONF))
        onnx_answer = invoke(servers["onnx"], jpeg, conf=str(LOW_CONF))
        assert (torch_answer["model"]["runtime"], onnx_answer["model"]["runtime"]) == ("torch", "onnx")
        assert torch_answer["options"] == onnx_answer["options"] == {"conf": LOW_CONF, "imgsz": 64}
        (torch_prediction,) = torch_answer["predictions"]
        (onnx_prediction,) = onnx_answer["predictions"]
        assert set(torch_prediction) == set(onnx_prediction) == {"width", "height", "detections"}
        assert (torch_prediction["width"], torch_prediction["height"]) == (onnx_prediction["width"], 64)
        # Scores near the threshold may fall either side of it; the most confident detections must agree closely.
        ranked = sorted(torch_prediction["detections"], key=lambda d: d["score"], reverse=True)
        for detection in ranked[:COMPARED_PER_IMAGE]:
            same = [
                d
                for d in onnx_prediction["detections"]
                if d["class_id"] == detection["class_id"]
                and max(abs(a - b) for a, b in zip(box(d), box(detection), strict=True)) < 0.5
                and abs(d["score"] - detection["score"]) < 0.005
            ]
            assert same, (detection, onnx_prediction["detections"])
            assert set(same[0]) == set(detection)
            compared += 1
    assert compared > 0  # the comparison compared something


@pytest.mark.slow
def test_onnx_answers_another_imgsz_with_torch(servers: dict[str, InferenceServer], val_jpegs: list[bytes]) -> None:
    """best.onnx takes 64x64 only: a request at 96 is run by torch, and says so; it finds what the torch server
    finds at 96."""
    on_onnx = invoke(servers["onnx"], val_jpegs[0], imgsz="96", conf=str(LOW_CONF))
    on_torch = invoke(servers["torch"], val_jpegs[0], imgsz="96", conf=str(LOW_CONF))
    assert on_onnx["model"]["runtime"] == "torch"
    assert on_onnx["options"] == on_torch["options"] == {"conf": LOW_CONF, "imgsz": 96}
    assert on_onnx["predictions"] == on_torch["predictions"]
    back = invoke(servers["onnx"], val_jpegs[0])
    assert back["model"]["runtime"] == "onnx" and back["options"]["imgsz"] == 64


@pytest.mark.slow
def test_onnx_answers_a_json_batch(servers: dict[str, InferenceServer], val_jpegs: list[bytes]) -> None:
    """best.onnx has a static batch of 1: a batch of three is run one image at a time, in order."""
    images = val_jpegs[:3]
    batch = json.dumps({"images": [base64.b64encode(jpeg).decode() for jpeg in images]})
    answer = invoke(servers["onnx"], batch, "application/json", conf=str(LOW_CONF))
    assert answer["model"]["runtime"] == "onnx"
    singles = [invoke(servers["onnx"], jpeg, conf=str(LOW_CONF))["predictions"][0] for jpeg in images]
    assert answer["predictions"] == singles


@pytest.mark.slow
def test_auto_times_both_keeps_the_faster_and_logs_it(
    servers: dict[str, InferenceServer], val_jpegs: list[bytes]
) -> None:
    chosen = servers["auto"].ping["runtime"]
    line = next(line for line in servers["auto"].log_text().splitlines() if line.startswith("yolops serve: runtime"))
    figures = re.search(r"runtime (\w+) \(faster on this machine: torch ([\d.]+) ms, onnx ([\d.]+) ms", line)
    assert figures is not None, line
    runtime, torch_ms, onnx_ms = figures[1], float(figures[2]), float(figures[3])
    assert runtime == chosen == ("onnx" if onnx_ms < torch_ms else "torch")
    assert torch_ms > 0 and onnx_ms > 0
    assert invoke(servers["auto"], val_jpegs[0])["model"]["runtime"] == chosen


@pytest.mark.slow
def test_auto_without_best_onnx_serves_torch(trained: TrainedJob, tmp_path: Path) -> None:
    """In process (Starlette's TestClient runs the app's lifespan, which loads the model in the background)."""
    settings = ServingSettings.from_env(
        {"YOLOPS_MODEL_DIR": str(without_onnx(trained, tmp_path / "model")), "YOLOPS_WORK_DIR": str(tmp_path / "work")}
    )
    with TestClient(create_app(settings)) as client:
        ping = poll_ping(client)
        assert ping.status_code == 200 and ping.json()["runtime"] == "torch"


@pytest.mark.slow
def test_runtime_onnx_without_best_onnx_is_a_503_saying_why(trained: TrainedJob, tmp_path: Path) -> None:
    settings = ServingSettings.from_env(
        {
            "YOLOPS_MODEL_DIR": str(without_onnx(trained, tmp_path / "model")),
            "YOLOPS_WORK_DIR": str(tmp_path / "work"),
            "YOLOPS_INFERENCE_RUNTIME": "onnx",
        }
    )
    with TestClient(create_app(settings)) as client:
        ping = poll_ping(client)
        assert ping.status_code == 503
        reason = ping.json()["error"]
        expected = "the model failed to load: YOLOPS_INFERENCE_RUNTIME=onnx but the model has no best.onnx"
        assert reason.startswith(expected)
        assert "Fix: set YOLOPS_INFERENCE_RUNTIME=auto or torch" in reason
        invocation = client.post("/invocations", content=b"\xff\xd8", headers={"Content-Type": "image/jpeg"})
        assert invocation.status_code == 503 and "has no best.onnx" in invocation.json()["error"]


def poll_ping(client: TestClient, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        ping = client.get("/ping")
        if ping.json() != {"error": "the model is loading"} or time.monotonic() > deadline:
            return ping
        time.sleep(0.2)
