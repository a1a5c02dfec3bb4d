"""Request bodies to RGB images: content types, the JSON batch form, and the pixel limit checked on the header.

A PNG or JPEG header states the image's size before a single pixel is decoded, and Pillow's Image.open reads
only the header. Checking width x height there refuses a decompression bomb (a few KB claiming 20000 x 20000,
1.2 GB once decoded) without allocating it. Only the formats a camera or browser sends are opened: Pillow
knows many more (EPS would start Ghostscript), none of which a detection client needs.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import sys
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from .rejections import Rejected

# One list for the server and the model registry (src/core/serving/server-contract.ts reads the same file).
_CONTENT_TYPES = json.loads(Path(__file__).with_name("content_types.json").read_text(encoding="utf-8"))
IMAGE_CONTENT_TYPES: tuple[str, ...] = tuple(_CONTENT_TYPES["image"])
JSON_CONTENT_TYPE: str = _CONTENT_TYPES["batch"]
ACCEPTED_CONTENT_TYPES = (*IMAGE_CONTENT_TYPES, JSON_CONTENT_TYPE)
# Any of these under any image content type: clients often label a PNG image/jpeg; the bytes decide.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "BMP")
BATCH_KEY = "images"


def _pillow_open() -> Any:
    """Pillow's own Image.open. Ultralytics replaces it at import with a wrapper that, when Pillow cannot identify
    a file, installs pi-heif with pip and retries: for a server that would turn any non-image body into a pip
    run (and, offline, a 500). The wrapper keeps the original as ultralytics.utils.patches._image_open."""
    patches = sys.modules.get("ultralytics.utils.patches")
    return getattr(patches, "_image_open", Image.open) if patches is not None else Image.open



def media_type(content_type: str | None) -> str:
    """'image/jpeg; charset=binary' -> 'image/jpeg'; 415 for a type the server does not read."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if value not in ACCEPTED_CONTENT_TYPES:
        shown = repr(value) if value else "missing"
        raise Rejected(415, f"Content-Type {shown} is not accepted; use one of {', '.join(ACCEPTED_CONTENT_TYPES)}")
    return value


def decode_image(data: bytes, max_pixels: int, label: str = "the body") -> Image.Image:
    if not data:
        raise Rejected(400, f"{label} is empty")
    try:
        image = _pillow_open()(io.BytesIO(data), formats=IMAGE_FORMATS)
    except Image.DecompressionBombError as e:  # Pillow's own guard, at twice its MAX_IMAGE_PIXELS
        raise Rejected(413, f"{label} is over the limit of {max_pixels} pixels ({e})") from None
    except UnidentifiedImageError:
        raise Rejected(422, f"{label} is not a {', '.join(IMAGE_FORMATS)} image") from None
    except (OSError, ValueError, SyntaxError) as e:  # Pillow's header parsers raise these on bad headers
        raise Rejected(422, f"{label} has an unreadable image header: {e}") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise Rejected(422, f"{label} claims an empty {width}x{height} image")
    if width * height > max_pixels:
        raise Rejected(
            413, f"{label} is a {width}x{height} image ({width * height} pixels); the limit is {max_pixels} pixels"
        )
    try:
        return image.convert("RGB")  # decodes now (the first frame of an animated one): a truncated file fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise Rejected(422, f"{label} could not be decoded: {e}") from None


def decode_batch(body: bytes, max_images: int, max_pixels: int) -> list[Image.Image]:
    """{"images": ["<base64>", ...]}: 1..max_images images, each checked like a single-image body."""
    try:
        document: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise Rejected(400, f"the body is not valid JSON: {e}") from None
    images = document.get(BATCH_KEY) if isinstance(document, dict) else None
    if not isinstance(images, list) or not all(isinstance(item, str) for item in images):
        raise Rejected(400, f'a JSON body must be {{"{BATCH_KEY}": ["<base64 image>", ...]}}')
    if not images:
        raise Rejected(400, f'"{BATCH_KEY}" is empty; send 1 to {max_images} images')
    if len(images) > max_images:
        raise Rejected(400, f'"{BATCH_KEY}" holds {len(images)} images; the limit is {max_images} per request')
    decoded = []
    for index, text in enumerate(images):
        label = f"{BATCH_KEY}[{index}]"
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise Rejected(400, f"{label} is not valid base64") from None
        decoded.append(decode_image(data, max_pixels, label))
    return decoded
