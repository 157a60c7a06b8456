"""Digests of what the model is made from: one hash of several inputs, used for model digests and memo keys alike."""

from __future__ import annotations

import hashlib


def key(*parts: str | bytes) -> bytes:
    """A hash of several inputs, unambiguous however they are split."""
    chunks: list[bytes] = []
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        chunks += (len(data).to_bytes(8, "little"), data)
    return hashlib.blake2b(b"".join(chunks), digest_size=20).digest()
