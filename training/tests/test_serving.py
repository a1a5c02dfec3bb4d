"""The inference server end to end: the real `serve` entrypoint on loopback with the model of the shared
training, real HTTP requests, every bad input refused with its status and reason, and served after."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from inference_server import InferenceServer, run_serve_briefly
from PIL import Image
from starlette.testclient import TestClient
from synthetic_dataset import NAMES
from yolops_serving.app import create_app
from yolops_serving.settings import ServingSettings

# Small enough that the over-limit bodies below stay cheap, large enough for the synthetic images (~2 KB).
MAX_BODY_BYTES = 64 * 1024
MAX_BATCH_IMAGES = 3


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height, with a few hundred bytes of IDAT: a decompression bomb's
    shape (decoding it would allocate width x height x 3 bytes) without its cost."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 4096))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def served(trained: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InferenceServer]:
    """Started like SageMaker does it: `serve`, the model dir and port from the environment."""
    server = InferenceServer(
        tmp_path_factory.mktemp("serving"),
        {
            "YOLOPS_MODEL_DIR": str(trained.job.model_dir),
            "YOLOPS_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "YOLOPS_MAX_BATCH_IMAGES": str(MAX_BATCH_IMAGES),
        },
    )
    try:
        server.pings = server.ping_until(lambda status, body: status == 200)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def val_images(trained: Any) -> list[Path]:
    return sorted((trained.dataset.root / "images" / "val").glob("*.jpg"))


@pytest.fixture(scope="module")
def jpeg(val_images: list[Path]) -> bytes:
    return val_images[0].read_bytes()


def invoke(
    server: InferenceServer, body: Any, content_type: str | None = "image/jpeg", **kwargs: Any
) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if content_type is not None:
        headers["Content-Type"] = content_type
    return httpx.post(f"{server.url}/invocations", content=body, headers=headers, timeout=60, **kwargs)


def check_prediction(prediction: dict[str, Any], width: int, height: int, conf: float) -> None:
    assert (prediction["width"], prediction["height"]) == (width, height)
    for detection in prediction["detections"]:
        assert set(detection) == {"class_id", "class_name", "score", "box", "box_normalized"}
        assert detection["class_name"] == NAMES[detection["class_id"]]
        assert conf <= detection["score"] <= 1.0
        box = detection["box"]
        assert 0 <= box["x1"] <= box["x2"] <= width and 0 <= box["y1"] <= box["y2"] <= height
        normalized = detection["box_normalized"]
        assert set(normalized) == {"x_center", "y_center", "width", "height"}
        assert all(0.0 <= value <= 1.0 for value in normalized.values())
        assert normalized["width"] == pytest.approx((box["x2"] - box["x1"]) / width, abs=1e-3)
        assert normalized["x_center"] == pytest.approx((box["x1"] + box["x2"]) / 2 / width, abs=1e-3)


def assert_good_request_served(server: InferenceServer, jpeg: bytes) -> None:
    response = invoke(server, jpeg)
    assert response.status_code == 200, response.text
    assert len(response.json()["predictions"]) == 1


def test_ping_and_invocations_are_503_while_the_model_loads(tmp_path: Path) -> None:
    # The app before its lifespan has run: nothing loaded yet, which is what a worker looks like while it loads.
    # Starlette's TestClient runs the lifespan only inside `with`, so this state is held for as long as needed.
    client = TestClient(create_app(ServingSettings.from_env({"YOLOPS_MODEL_DIR": str(tmp_path), "YOLOPS_WORK_DIR": str(tmp_path / "work")})))
    loading = {"error": "the model is loading"}
    ping = client.get("/ping")
    assert (ping.status_code, ping.json()) == (503, loading)
    invocation = client.post("/invocations", content=b"\xff\xd8", headers={"Content-Type": "image/jpeg"})
    assert (invocation.status_code, invocation.json()) == (503, loading)


@pytest.mark.slow
def test_ping_turns_200_once_the_model_is_ready(served: InferenceServer) -> None:
    *before, (last_status, last_body) = served.pings
    assert last_status == 200 and last_body["model_version"].startswith("sha256:")
    # Whatever /ping said before (the poll may or may not land while the model loads) was "loading": never an
    # error, never a 200 too early.
    assert all(status == 503 and body == {"error": "the model is loading"} for status, body in before)


@pytest.mark.slow
def test_a_jpeg_gets_its_detections(served: InferenceServer, trained: Any, jpeg: bytes) -> None:
    response = invoke(served, jpeg)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert set(answer) == {"model", "inference_ms", "options", "predictions"}
    weights = (trained.job.model_dir / "best.pt").read_bytes()
    run_id = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    version = f"sha256:{hashlib.sha256(weights).hexdigest()[:16]}"
    # The runtime the server chose (auto: the faster of torch and onnx here) answers at the default size.
    runtime = served.pings[-1][1]["runtime"]
    assert answer["model"] == {"version": version, "mlflow_run_id": run_id, "runtime": runtime}
    assert answer["inference_ms"] > 0
    assert answer["options"] == {"conf": 0.25, "imgsz": 64}  # Ultralytics' default conf, the training's imgsz
    (prediction,) = answer["predictions"]
    check_prediction(prediction, 64, 64, 0.25)


@pytest.mark.slow
def test_the_validation_images_find_shapes_of_the_dataset(served: InferenceServer, val_images: list[Path]) -> None:
    """Three epochs at imgsz 64 make a weak model: at a low threshold it finds something on the val split, and
    every box it finds is well formed. How good the boxes are is not this test's business."""
    found = 0
    for image in val_images:
        response = invoke(served, image.read_bytes(), params={"conf": "0.001"})
        assert response.status_code == 200, response.text
        (prediction,) = response.json()["predictions"]
        check_prediction(prediction, 64, 64, 0.001)
        found += len(prediction["detections"])
    assert found > 0


@pytest.mark.slow
def test_png_and_x_image_bodies_and_options_from_sagemakers_custom_attributes(
    served: InferenceServer, val_images: list[Path]
) -> None:
    buffer = io.BytesIO()
    Image.open(val_images[1]).resize((96, 80)).save(buffer, format="PNG")
    for content_type in ("image/png", "application/x-image", "image/png; charset=binary"):
        response = invoke(
            served,
            buffer.getvalue(),
            content_type,
            headers={"X-Amzn-SageMaker-Custom-Attributes": "conf=0.05, imgsz=96"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["options"] == {"conf": 0.05, "imgsz": 96}
        check_prediction(response.json()["predictions"][0], 96, 80, 0.05)
    # A query parameter wins over the header.
    header = {"X-Amzn-SageMaker-Custom-Attributes": "conf=0.05"}
    response = invoke(served, buffer.getvalue(), "image/png", params={"conf": "0.5"}, headers=header)
    assert response.json()["options"] == {"conf": 0.5, "imgsz": 64}


@pytest.mark.slow
def test_a_json_batch_gets_one_prediction_per_image(served: InferenceServer, val_images: list[Path]) -> None:
    images = [base64.b64encode(path.read_bytes()).decode() for path in val_images[:MAX_BATCH_IMAGES]]
    response = invoke(served, json.dumps({"images": images}), "application/json")
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert len(predictions) == MAX_BATCH_IMAGES
    for prediction in predictions:
        check_prediction(prediction, 64, 64, 0.25)


def _truncated(jpeg: bytes) -> bytes:
    return jpeg[: len(jpeg) // 2]


def _batch(*images: str) -> str:
    return json.dumps({"images": list(images)})


# (case, body maker from a good jpeg, content type, extra request arguments, status, words of the reason)
BAD_REQUESTS: list[tuple[str, Any, str | None, dict[str, Any], int, str]] = [
    ("empty body", lambda jpeg: b"", "image/jpeg", {}, 400, "the body is empty"),
    ("truncated jpeg", _truncated, "image/jpeg", {}, 422, "could not be decoded"),
    ("not an image", lambda jpeg: b"hello, this is text" * 10, "image/png", {}, 422, "is not a JPEG, PNG, WEBP, BMP image"),
    ("a pdf", lambda jpeg: b"%PDF-1.4\n" + b"0" * 200, "application/x-image", {}, 422, "is not a JPEG"),
    ("text content type", lambda jpeg: jpeg, "text/plain", {}, 415, "Content-Type 'text/plain' is not accepted"),
    ("no content type", lambda jpeg: jpeg, None, {}, 415, "Content-Type missing is not accepted"),
    ("over the size limit", lambda jpeg: b"\xff" * (MAX_BODY_BYTES + 1), "image/jpeg", {}, 413, f"the limit is {MAX_BODY_BYTES} bytes"),
    ("over the limit, chunked", lambda jpeg: iter([b"\xff" * 8192] * 20), "image/jpeg", {}, 413, f"passed the limit of {MAX_BODY_BYTES} bytes"),
    ("over the pixel limit", lambda jpeg: png_claiming(7000, 7000), "image/png", {}, 413, "is a 7000x7000 image (49000000 pixels); the limit is 40000000 pixels"),
    ("decompression bomb", lambda jpeg: png_claiming(20000, 20000), "image/png", {}, 413, "is over the limit of 40000000 pixels"),
    ("batch too large", lambda jpeg: _batch(*[base64.b64encode(jpeg).decode()] * (MAX_BATCH_IMAGES + 1)), "application/json", {}, 400, f"the limit is {MAX_BATCH_IMAGES} per request"),
    ("bad base64", lambda jpeg: _batch(base64.b64encode(jpeg).decode(), "not*base64!"), "application/json", {}, 400, "images[1] is not valid base64"),
    ("bomb in a batch", lambda jpeg: _batch(base64.b64encode(png_claiming(20000, 20000)).decode()), "application/json", {}, 413, "images[0] is over the limit of 40000000 pixels"),
    ("empty batch", lambda jpeg: _batch(), "application/json", {}, 400, '"images" is empty'),
    ("batch not an object", lambda jpeg: "[1, 2]", "application/json", {}, 400, 'a JSON body must be {"images"'),
    ("invalid json", lambda jpeg: "{images", "application/json", {}, 400, "the body is not valid JSON"),
    ("conf out of range", lambda jpeg: jpeg, "image/jpeg", {"params": {"conf": "1.5"}}, 400, "conf='1.5' must be between 0 and 1"),
    ("conf not a number", lambda jpeg: jpeg, "image/jpeg", {"params": {"conf": "nan"}}, 400, "conf='nan' must be between 0 and 1"),
    ("imgsz not a stride multiple", lambda jpeg: jpeg, "image/jpeg", {"params": {"imgsz": "100"}}, 400, "must be a multiple of 32"),
    ("unknown option", lambda jpeg: jpeg, "image/jpeg", {"params": {"confidence": "0.5"}}, 400, "unknown option confidence"),
    ("bad custom attributes", lambda jpeg: jpeg, "image/jpeg", {"headers": {"X-Amzn-SageMaker-Custom-Attributes": "imgsz"}}, 400, "custom attribute 'imgsz' is not key=value"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "content_type", "extra", "status", "reason"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_a_bad_request_gets_its_4xx_and_the_next_one_is_served(
    served: InferenceServer,
    jpeg: bytes,
    body: Any,
    content_type: str | None,
    extra: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    response = invoke(served, body(jpeg), content_type, **extra)
    assert response.status_code == status, response.text
    (error,) = response.json().values()
    assert reason in error and "\n" not in error
    assert set(response.json()) == {"error"}
    assert_good_request_served(served, jpeg)


@pytest.mark.slow
def test_a_huge_content_length_is_refused_before_the_body_is_sent(served: InferenceServer, jpeg: bytes) -> None:
    """The server answers from the header alone: not one byte of the announced terabyte is sent."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as connection:
        connection.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: test\r\nContent-Type: image/jpeg\r\n"
            b"Content-Length: 1000000000000\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            piece = connection.recv(4096)
            if not piece:
                break
            answer += piece
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer
    assert json.loads(body) == {"error": f"the body is 1000000000000 bytes; the limit is {MAX_BODY_BYTES} bytes"}
    assert_good_request_served(served, jpeg)


@pytest.mark.slow
def test_unknown_routes_and_methods_answer_json(served: InferenceServer, jpeg: bytes) -> None:
    missing = httpx.get(f"{served.url}/predict", timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"error": "Not Found"})
    wrong_method = httpx.get(f"{served.url}/invocations", timeout=10)
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "Method Not Allowed"})
    assert_good_request_served(served, jpeg)


def test_without_a_model_ping_says_why_with_503(tmp_path: Path) -> None:
    """Two workers (the multi-process start), options on the command line, and a model dir without a model:
    the server stays up and /ping and /invocations both answer 503 with the reason."""
    empty = tmp_path / "model"
    empty.mkdir()
    (empty / "results.csv").write_text("epoch\n")
    server = InferenceServer(
        tmp_path / "server", {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"}, args=("serve", "--model-dir", str(empty))
    )
    try:
        # Each worker answers alone: both must have given up on the model, whichever the pings reach.
        loading = {"error": "the model is loading"}
        status, body = server.ping_until(lambda status, body: body != loading, timeout=60)[-1]
        assert status == 503
        assert "holds neither model.tar.gz nor best.pt (found: results.csv)" in body["error"]
        deadline = time.monotonic() + 60
        while True:  # the other worker may still be on its way to the same failure
            response = httpx.post(
                f"{server.url}/invocations", content=b"x", headers={"Content-Type": "image/jpeg"}, timeout=10
            )
            if response.json() != loading or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.status_code == 503 and "holds neither" in response.json()["error"]
    finally:
        server.stop()


def test_a_bad_port_variable_stops_serve_with_its_name() -> None:
    result = run_serve_briefly({"SAGEMAKER_BIND_TO_PORT": "http"})
    assert result.returncode == 2
    assert "SAGEMAKER_BIND_TO_PORT='http' is not a whole number" in result.stderr
