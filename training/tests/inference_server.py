"""The real inference server (training/serve) on a loopback port, in its own process group, as SageMaker
would start it: `serve` plus environment variables."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from jobs import TRAINING_DIR
from mlflow_server import free_port

SERVE = TRAINING_DIR / "serve"


def run_serve_briefly(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`serve` with only `env` (and a bare PATH): for settings it must refuse before it starts anything."""
    return subprocess.run(
        [sys.executable, str(SERVE), "serve"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


class InferenceServer:
    def __init__(self, root: Path, env: dict[str, str], args: tuple[str, ...] = ("serve",)) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / "server.log"
        environment = {
            **os.environ,
            "SAGEMAKER_BIND_TO_PORT": str(self.port),
            "YOLOPS_WORK_DIR": str(root / "work"),
            **env,
        }
        with open(self.log, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(SERVE), *args, "--host", "127.0.0.1"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # uvicorn's worker processes go with the group
                env=environment,
                cwd=root,
            )

    def ping_until(self, done: Callable[[int, dict], bool], timeout: float = 120) -> list[tuple[int, dict]]:
        """Poll /ping until done(status, body); returns every answer seen (connection refusals excluded)."""
        seen: list[tuple[int, dict]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                response = httpx.get(f"{self.url}/ping", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            seen.append((response.status_code, response.json()))
            if done(response.status_code, response.json()):
                return seen
            time.sleep(0.2)
        raise TimeoutError(f"/ping never got there (seen {seen[-3:]}):\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
