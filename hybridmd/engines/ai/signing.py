"""Request signing for the remote vendor protocol: HMAC-SHA256 over a canonical string.

The canonical string (version 1) is five lines joined by ``\\n``, with no trailing newline:

    METHOD            upper case, e.g. POST
    path              as sent, with its query string, e.g. /v1/readings?mode=full
    timestamp         Unix seconds, decimal, e.g. 1764057600
    idempotency key   1-128 characters of A-Z a-z 0-9 . _ : - (a UUID fits)
    body digest       SHA-256 of the exact body bytes, lower-case hex (of b"" when empty)

    signature = hex(HMAC-SHA256(secret, canonical.encode("utf-8")))

and it travels in three headers:

    X-HybridMD-Timestamp: 1764057600
    X-HybridMD-Idempotency-Key: 6f1c...-...
    X-HybridMD-Signature: v1=<64 lower-case hex digits>

``verify`` checks, in order: the headers are present and well formed, the timestamp is
within ``tolerance_s`` of ``now`` (either way), the signature matches (constant-time), and
only then that the idempotency key was not seen before, so an unsigned request can neither
fill nor probe the store of keys. Each failure is a SignatureError saying which.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping

VERSION = "v1"
TIMESTAMP_HEADER = "X-HybridMD-Timestamp"
IDEMPOTENCY_HEADER = "X-HybridMD-Idempotency-Key"
SIGNATURE_HEADER = "X-HybridMD-Signature"
DEFAULT_TOLERANCE_S = 300

_METHOD = re.compile(r"[A-Z]{1,16}")
_PATH = re.compile(r"/[\x21-\x7e]*")  # printable ASCII, no spaces or newlines
_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(rf"{VERSION}=([0-9a-f]{{64}})")


class SignatureError(ValueError):
    """A request that must be refused; the message says why (never the secret)."""


def canonical_string(
    method: str, path: str, body: bytes, *, timestamp: int, idempotency_key: str
) -> str:
    """The five lines the signature covers (see the module docstring)."""
    method = method.upper()
    if not _METHOD.fullmatch(method):
        raise SignatureError(f"bad format: method {method[:20]!r} is not an HTTP method.")
    if not _PATH.fullmatch(path):
        raise SignatureError("bad format: the path must start with / and hold no spaces.")
    if timestamp < 0:
        raise SignatureError("bad format: the timestamp must not be negative.")
    if not _KEY.fullmatch(idempotency_key):
        raise SignatureError(
            "bad format: the idempotency key must be 1-128 characters of A-Z a-z 0-9 . _ : -."
        )
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method, path, str(timestamp), idempotency_key, digest))


def sign(
    secret: bytes, method: str, path: str, body: bytes, *, timestamp: int, idempotency_key: str
) -> str:
    """Lower-case hex HMAC-SHA256 of the canonical string."""
    if not secret:
        raise SignatureError("the signing secret is empty.")
    canonical = canonical_string(
        method, path, body, timestamp=timestamp, idempotency_key=idempotency_key
    )
    return hmac.new(secret, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def headers(
    secret: bytes, method: str, path: str, body: bytes, *, timestamp: int, idempotency_key: str
) -> dict[str, str]:
    """The three headers a signed request carries."""
    signature = sign(
        secret, method, path, body, timestamp=timestamp, idempotency_key=idempotency_key
    )
    return {
        TIMESTAMP_HEADER: str(timestamp),
        IDEMPOTENCY_HEADER: idempotency_key,
        SIGNATURE_HEADER: f"{VERSION}={signature}",
    }


def verify(
    secret: bytes,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: int,
    seen: Callable[[str], bool],
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> None:
    """Raise SignatureError unless the request is signed with ``secret``, fresh, and new.

    Header names match case-insensitively. ``seen(key)`` is called only for a correctly
    signed request; it should record the key and return whether it was already there
    (atomically, and remembering keys at least as long as the tolerance window).
    """
    found = {name.lower(): value for name, value in headers.items()}
    missing = [
        name
        for name in (TIMESTAMP_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER)
        if name.lower() not in found
    ]
    if missing:
        raise SignatureError(f"missing header: {', '.join(missing)}.")
    stamp = found[TIMESTAMP_HEADER.lower()].strip()
    key = found[IDEMPOTENCY_HEADER.lower()].strip()
    given = _SIGNATURE.fullmatch(found[SIGNATURE_HEADER.lower()].strip())
    if not _TIMESTAMP.fullmatch(stamp):
        raise SignatureError(f"bad format: {TIMESTAMP_HEADER} must be Unix seconds.")
    if given is None:
        raise SignatureError(
            f"bad format: {SIGNATURE_HEADER} must be {VERSION}= and 64 lower-case hex digits."
        )
    timestamp = int(stamp)
    if abs(now - timestamp) > tolerance_s:
        raise SignatureError(
            f"timestamp outside the replay window: {now - timestamp:+d} s from now, "
            f"more than {tolerance_s} s."
        )
    expected = sign(secret, method, path, body, timestamp=timestamp, idempotency_key=key)
    if not hmac.compare_digest(expected, given.group(1)):
        raise SignatureError("signature mismatch: the request was not signed with this secret.")
    if seen(key):
        raise SignatureError(f"replay: idempotency key {key!r} was already used.")
