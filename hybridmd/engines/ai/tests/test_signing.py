"""Request signing of the vendor protocol: a hand-computed vector and every refusal."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from hybridmd.engines.ai.signing import (
    SignatureError,
    canonical_string,
    headers,
    sign,
    verify,
)

SECRET = b"vendor-shared-secret"
METHOD = "POST"
PATH = "/v1/readings?mode=full"
BODY = b'{"case":"c-123","kind":"ecg"}'
NOW = 1_764_057_600
KEY = "6f1c2b8e-3d4a-4c5b-9e7f-0a1b2c3d4e5f"


def never_seen() -> Callable[[str], bool]:
    """A store of keys: records each key, True when it was there already."""
    keys: set[str] = set()

    def seen(key: str) -> bool:
        already = key in keys
        keys.add(key)
        return already

    return seen


def signed(**changes: str) -> dict[str, str]:
    return headers(SECRET, METHOD, PATH, BODY, timestamp=NOW, idempotency_key=KEY) | changes


def check(
    sent: dict[str, str],
    *,
    method: str = METHOD,
    path: str = PATH,
    body: bytes = BODY,
    now: int = NOW,
    seen: Callable[[str], bool] | None = None,
) -> None:
    verify(SECRET, method, path, body, sent, now=now, seen=seen or never_seen())


def test_known_vector_computed_by_hand() -> None:
    body_digest = hashlib.sha256(BODY).hexdigest()
    message = f"POST\n/v1/readings?mode=full\n1764057600\n{KEY}\n{body_digest}".encode()
    expected = hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    assert canonical_string(METHOD, PATH, BODY, timestamp=NOW, idempotency_key=KEY) == (
        message.decode()
    )
    assert sign(SECRET, "post", PATH, BODY, timestamp=NOW, idempotency_key=KEY) == expected
    assert signed() == {
        "X-HybridMD-Timestamp": "1764057600",
        "X-HybridMD-Idempotency-Key": KEY,
        "X-HybridMD-Signature": f"v1={expected}",
    }


def test_empty_body_signs_the_digest_of_nothing() -> None:
    empty = hashlib.sha256(b"").hexdigest()
    assert canonical_string("GET", "/v1/health", b"", timestamp=0, idempotency_key="k").endswith(
        f"\nk\n{empty}"
    )


def test_a_correct_request_passes_with_any_header_case() -> None:
    check(signed())
    check({name.lower(): value for name, value in signed().items()})
    check(signed(), now=NOW + 300)
    check(signed(), now=NOW - 300)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"body": BODY + b" "}, "signature mismatch"),
        ({"path": "/v1/readings?mode=brief"}, "signature mismatch"),
        ({"method": "PUT"}, "signature mismatch"),
    ],
)
def test_tampered_request_fails(tamper: dict[str, object], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        check(signed(), **tamper)  # type: ignore[arg-type]


def test_tampered_timestamp_fails() -> None:
    with pytest.raises(SignatureError, match="signature mismatch"):
        check(signed(**{"X-HybridMD-Timestamp": str(NOW + 1)}))


def test_other_secret_fails() -> None:
    with pytest.raises(SignatureError, match="not signed with this secret"):
        verify(b"another secret", METHOD, PATH, BODY, signed(), now=NOW, seen=never_seen())


def test_old_timestamp_fails_outside_the_window() -> None:
    with pytest.raises(SignatureError, match=r"outside the replay window: \+301 s from now"):
        check(signed(), now=NOW + 301)
    with pytest.raises(SignatureError, match=r"outside the replay window: -3600 s"):
        check(signed(), now=NOW - 3600)


def test_replayed_idempotency_key_fails() -> None:
    seen = never_seen()
    check(signed(), seen=seen)
    with pytest.raises(SignatureError, match=f"replay: idempotency key '{KEY}' was already used"):
        check(signed(), seen=seen)


def test_a_bad_signature_never_reaches_the_key_store() -> None:
    asked: list[str] = []

    def seen(key: str) -> bool:
        asked.append(key)
        return False

    with pytest.raises(SignatureError, match="signature mismatch"):
        check(signed(), body=b"{}", seen=seen)
    assert asked == []


@pytest.mark.parametrize(
    "header", ["X-HybridMD-Timestamp", "X-HybridMD-Idempotency-Key", "X-HybridMD-Signature"]
)
def test_missing_header_fails(header: str) -> None:
    sent = signed()
    del sent[header]
    with pytest.raises(SignatureError, match=f"missing header: {header}."):
        check(sent)


def test_no_headers_names_all_three() -> None:
    with pytest.raises(SignatureError) as caught:
        check({})
    assert str(caught.value) == (
        "missing header: X-HybridMD-Timestamp, X-HybridMD-Idempotency-Key, X-HybridMD-Signature."
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"X-HybridMD-Timestamp": "yesterday"}, "bad format: X-HybridMD-Timestamp must be"),
        ({"X-HybridMD-Timestamp": "-5"}, "bad format: X-HybridMD-Timestamp must be"),
        ({"X-HybridMD-Signature": "deadbeef"}, "bad format: X-HybridMD-Signature must be v1="),
        ({"X-HybridMD-Signature": "v2=" + "0" * 64}, "bad format: X-HybridMD-Signature"),
        ({"X-HybridMD-Idempotency-Key": "a b"}, "bad format: the idempotency key"),
        ({"X-HybridMD-Idempotency-Key": ""}, "bad format: the idempotency key"),
    ],
)
def test_bad_header_format_fails(changes: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        check(signed(**changes))


def test_signing_refuses_what_would_break_the_canonical_string() -> None:
    with pytest.raises(SignatureError, match="the path must start with /"):
        sign(SECRET, METHOD, "/v1/x\nPOST", BODY, timestamp=NOW, idempotency_key=KEY)
    with pytest.raises(SignatureError, match="is not an HTTP method"):
        sign(SECRET, "PO ST", PATH, BODY, timestamp=NOW, idempotency_key=KEY)
    with pytest.raises(SignatureError, match="the signing secret is empty"):
        sign(b"", METHOD, PATH, BODY, timestamp=NOW, idempotency_key=KEY)


def test_signature_error_is_a_value_error() -> None:
    assert issubclass(SignatureError, ValueError)
