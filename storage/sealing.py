"""Sealing: AES-GCM under keys derived from TONGXIN_SECRET, for whatever must wait in the database without
naming anyone in the clear (a reply route, a draft, a half-answered survey, a submission waiting to be
counted, an update not yet handled).

A sealed value is a fresh 12-byte nonce and the ciphertext of its JSON. `size` pads the JSON with spaces
(which JSON ignores) to a fixed length before sealing: the length of a ciphertext would otherwise tell how
long the text inside is, and a length is enough to match a sealed row to the plaintext it later becomes.
"""
from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12
# The first sealed rows (reply routes, drafts) were derived with this salt; kept so they still open.
SALT = b"tongxin-feedback"
# Padded lengths are rounded up to a multiple of this, so two sizes that differ a little look the same.
BLOCK = 256
_keys: dict[tuple[bytes, bytes], AESGCM] = {}


def _cipher(secret: bytes, purpose: bytes) -> AESGCM:
    cached = _keys.get((secret, purpose))
    if cached is None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=purpose).derive(secret)
        cached = _keys[(secret, purpose)] = AESGCM(key)
    return cached


def padded_length(length: int, size: int = 0) -> int:
    """The length a plaintext of `length` bytes is padded to when sealed with `size`."""
    target = max(length, size)
    return -(-target // BLOCK) * BLOCK if size else length


def seal(secret: bytes, purpose: bytes, value, aad: bytes = b"", size: int = 0) -> bytes:
    """Seal a JSON-able value; with `size`, every value up to that many bytes of JSON seals to one length."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    body += b" " * (padded_length(len(body), size) - len(body))
    nonce = os.urandom(NONCE)
    return nonce + _cipher(secret, purpose).encrypt(nonce, body, aad)


def unseal(secret: bytes, purpose: bytes, blob: bytes | None, aad: bytes = b""):
    """The sealed value, or None when the blob was not sealed with this secret and purpose (or was altered)."""
    if not blob:
        return None
    try:
        return json.loads(_cipher(secret, purpose).decrypt(bytes(blob[:NONCE]), bytes(blob[NONCE:]), aad))
    except (InvalidTag, ValueError):
        return None
