"""Per-request options: the confidence threshold and the image size, validated.

Locally they come as query parameters (`/invocations?conf=0.4&imgsz=320`). SageMaker's InvokeEndpoint
forwards no query string, only the CustomAttributes parameter, which reaches the container as the
X-Amzn-SageMaker-Custom-Attributes header; the same options are read from it as `conf=0.4,imgsz=320`.
A query parameter wins over the header. An unknown key is refused, so a typo does not go unnoticed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .rejections import Rejected

CUSTOM_ATTRIBUTES_HEADER = "x-amzn-sagemaker-custom-attributes"
DEFAULT_CONF = 0.25  # Ultralytics' predict default
MIN_IMGSZ, MAX_IMGSZ, IMGSZ_STRIDE = 32, 4096, 32  # YOLO's largest stride is 32: other sizes get rounded


@dataclass(frozen=True)
class PredictOptions:
    conf: float
    imgsz: int


def _custom_attributes(header: str | None) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in (header or "").split(","):
        if not item.strip():
            continue
        key, separator, value = item.partition("=")
        if not separator:
            raise Rejected(400, f"custom attribute {item.strip()!r} is not key=value")
        pairs[key.strip()] = value.strip()
    return pairs


def _conf(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise Rejected(400, f"conf={raw!r} is not a number") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise Rejected(400, f"conf={raw!r} must be between 0 and 1")
    return value


def _imgsz(raw: str) -> int:
    if not raw.strip().isdigit():
        raise Rejected(400, f"imgsz={raw!r} is not a whole number")
    value = int(raw)
    if not MIN_IMGSZ <= value <= MAX_IMGSZ or value % IMGSZ_STRIDE:
        raise Rejected(400, f"imgsz={raw!r} must be a multiple of {IMGSZ_STRIDE} from {MIN_IMGSZ} to {MAX_IMGSZ}")
    return value


PARSERS = {"conf": _conf, "imgsz": _imgsz}


def read_options(query: Mapping[str, str], headers: Mapping[str, str], default_imgsz: int) -> PredictOptions:
    given = {**_custom_attributes(headers.get(CUSTOM_ATTRIBUTES_HEADER)), **dict(query)}
    unknown = sorted(set(given) - set(PARSERS))
    if unknown:
        raise Rejected(400, f"unknown option {', '.join(unknown)}; the options are {', '.join(PARSERS)}")
    return PredictOptions(
        conf=_conf(given["conf"]) if "conf" in given else DEFAULT_CONF,
        imgsz=_imgsz(given["imgsz"]) if "imgsz" in given else default_imgsz,
    )
