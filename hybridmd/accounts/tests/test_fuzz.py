"""Property tests for the inputs people type or upload: nothing crashes, bad input is refused."""

from __future__ import annotations

import contextlib
import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hybridmd.accounts.forms import normalise_licence_number
from hybridmd.accounts.models import licence_number_validator
from hybridmd.accounts.proof import check_proof

MAX = 64 * 1024


@given(st.text(max_size=40))
def test_licence_normalisation_never_crashes_and_validates_or_refuses(raw):
    number = normalise_licence_number(raw)
    try:
        licence_number_validator(number)
    except ValidationError:
        return
    assert number.isascii()
    assert number.isdigit()
    assert 1 <= len(number) <= 6
    assert not number.startswith("0")


@given(
    st.integers(min_value=1, max_value=999_999),
    st.sampled_from(["{}", "제 {} 호", "0{}", "No. {}", " {} "]),
)
def test_written_forms_of_a_licence_number_normalise_to_it(number, template):
    assert normalise_licence_number(template.format(number)) == str(number)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_cleanly(data):
    upload = SimpleUploadedFile("x.bin", data)
    try:
        checked = check_proof(upload, max_bytes=MAX)
    except ValidationError:
        return
    assert checked.content_type in {"application/pdf", "image/png", "image/jpeg", "image/webp"}


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["PNG", "JPEG", "WEBP"]),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=0, max_value=200),
)
def test_real_images_pass_and_truncated_ones_never_crash(fmt, width, height, cut):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (width, height, 9)).save(buffer, format=fmt)
    data = buffer.getvalue()
    checked = check_proof(SimpleUploadedFile("ok", data), max_bytes=MAX)
    assert checked.content_type == f"image/{fmt.lower()}"
    if cut and cut < len(data) - 16:
        truncated = data[: len(data) - cut]
        with contextlib.suppress(ValidationError):
            check_proof(SimpleUploadedFile("cut", truncated), max_bytes=MAX)
