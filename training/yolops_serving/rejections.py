"""A request the server refuses: an HTTP status and a one-line reason, answered as {"error": reason}."""

from __future__ import annotations


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = " ".join(reason.split())  # one line, whatever the message it quotes held
