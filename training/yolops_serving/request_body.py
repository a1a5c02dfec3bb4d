"""The request body, bounded: a Content-Length over the limit is refused before any byte is read, and a body
without one (chunked) is refused as soon as what arrived passes the limit, so neither fills the memory."""

from __future__ import annotations

from starlette.requests import Request

from .rejections import Rejected


async def read_bounded_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Rejected(400, f"Content-Length {declared!r} is not a byte count")
        if int(declared) > max_bytes:
            raise Rejected(413, f"the body is {int(declared)} bytes; the limit is {max_bytes} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise Rejected(413, f"the body passed the limit of {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise Rejected(400, "the body is empty; send an image (image/jpeg, image/png) or a JSON batch")
    return body
