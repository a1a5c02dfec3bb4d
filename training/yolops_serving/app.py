"""The FastAPI app: SageMaker's hosting routes over a ModelSlot.

- GET /ping: 200 once the model is loaded and warmed up, naming its version and runtime (torch | onnx); 503 while
  it loads, or with the reason it failed.
- POST /invocations: an image body or a JSON batch in, detections out (shape in the README's Serving section).
Every refusal is {"error": "<one line>"} with a 4xx status, and an unexpected error a 500 of the same shape:
the server itself stays up for the next request.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from yolops_training.log import warn

from .detections import image_prediction
from .image_decoding import IMAGE_CONTENT_TYPES, decode_batch, decode_image, media_type
from .model_loading import LoadedModel, ModelSlot
from .rejections import Rejected
from .request_body import read_bounded_body
from .request_options import PredictOptions, read_options
from .settings import ServingSettings


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def _predict(slot: ModelSlot, loaded: LoadedModel, images: list[Any], options: PredictOptions) -> dict[str, Any]:
    runtime, model = loaded.runtime_for(options.imgsz)
    with slot.predict_lock:
        started = time.perf_counter()
        results = model.predict(images, imgsz=options.imgsz, conf=options.conf, verbose=False)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
    return {
        "model": {"version": loaded.version, "mlflow_run_id": loaded.mlflow_run_id, "runtime": runtime},
        "inference_ms": round(elapsed_ms, 3),
        "options": {"conf": options.conf, "imgsz": options.imgsz},
        "predictions": [image_prediction(result, loaded.names) for result in results],
    }


def create_app(settings: ServingSettings | None = None) -> FastAPI:
    """The app factory uvicorn calls in each worker (`--factory`); settings come from the environment."""
    settings = settings or ServingSettings.from_env()
    slot = ModelSlot()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # In the background, so that /ping can answer 503 (rather than refuse connections) while it loads.
        slot.load_in_background(settings.model_dir, settings.work_dir, settings.runtime)
        yield

    app = FastAPI(title="yolops inference", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.slot = slot

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:  # 404, 405
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        warn(f"{request.method} {request.url.path} failed: {type(exc).__name__}: {exc}")
        return _error(500, f"internal error: {type(exc).__name__}")

    @app.get("/ping")
    async def ping() -> JSONResponse:
        if slot.loaded is not None:
            loaded = slot.loaded
            return JSONResponse({"status": "ok", "model_version": loaded.version, "runtime": loaded.runtime})
        if slot.failure is not None:
            return _error(503, f"the model failed to load: {slot.failure}")
        return _error(503, "the model is loading")

    @app.post("/invocations")
    async def invocations(request: Request) -> JSONResponse:
        loaded = slot.loaded
        if loaded is None:
            return _error(503, slot.failure or "the model is loading")
        try:
            kind = media_type(request.headers.get("content-type"))
            options = read_options(request.query_params, request.headers, loaded.imgsz)
            body = await read_bounded_body(request, settings.max_body_bytes)
            # Decoding is CPU work: off the event loop, so /ping keeps answering meanwhile.
            if kind in IMAGE_CONTENT_TYPES:
                images = [await run_in_threadpool(decode_image, body, settings.max_image_pixels)]
            else:
                images = await run_in_threadpool(
                    decode_batch, body, settings.max_batch_images, settings.max_image_pixels
                )
        except Rejected as e:
            return _error(e.status, e.reason)
        return JSONResponse(await run_in_threadpool(_predict, slot, loaded, images, options))

    return app
