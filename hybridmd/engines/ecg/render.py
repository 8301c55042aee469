"""ECG paper as SVG: the standard 12-lead printout and scrolling rhythm strips.

Millimetres are the SVG user unit (viewBox), so 25 mm/s and 10 mm/mV hold at any zoom;
width="100%" lets a phone fit the page. Output is deterministic and carries no script:
every text is escaped and every id is built from a sanitised lead name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

import numpy as np

from hybridmd.engines.ecg.leads import STANDARD_12, is_standard_12
from hybridmd.engines.ecg.limits import format_duration
from hybridmd.engines.ecg.model import ECG, FloatArray

MM_PER_S = 25.0
MM_PER_MV = 10.0
TRACE_X0 = 15.0  # trace starts on a major line, after the calibration pulse
DEFAULT_STRIP_SECONDS = 60.0
_COLUMN_MM = 0.1  # "pixel column": one min/max pair per 0.1 mm when fs > 500 Hz
_PAPER = "#fff8f6"
_MINOR = "#f5c8c8"
_MAJOR = "#e59a9a"
_INK = "#111111"
_FONT = 'font-family="Helvetica, Arial, sans-serif"'
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")

LAYOUT_12: tuple[tuple[str, ...], ...] = (
    ("I", "aVR", "V1", "V4"),
    ("II", "aVL", "V2", "V5"),
    ("III", "aVF", "V3", "V6"),
)


def render_svg(ecg: ECG) -> str:
    if is_standard_12(ecg.lead_names):
        return render_12lead_svg(ecg)
    return render_strips_svg(ecg)


def render_12lead_svg(ecg: ECG) -> str:
    """3 × 4 leads of 2.5 s each plus a 10 s lead II rhythm strip, on 25 mm/s, 10 mm/mV paper."""
    missing = [lead for lead in STANDARD_12 if lead not in ecg.leads]
    if missing:
        raise ValueError(f"A 12-lead layout needs leads {', '.join(missing)}.")
    column_s = 2.5
    pitch, first_baseline = 35.0, 25.0
    width = TRACE_X0 + 4 * column_s * MM_PER_S + 5
    height = first_baseline + 3 * pitch + 20
    parts = _open_svg(ecg, width, height, layout="12-lead", title="12-lead ECG")
    for row, leads in enumerate(LAYOUT_12):
        baseline = first_baseline + row * pitch
        parts.append(_calibration(baseline, f"cal-{row}"))
        for column, lead in enumerate(leads):
            t0 = column * column_s
            x0 = TRACE_X0 + t0 * MM_PER_S
            parts.append(
                _lead_group(ecg, lead, (t0, t0 + column_s), x0, baseline, group_id=f"lead-{lead}")
            )
            if column:
                parts.append(
                    f'<path class="separator" d="M{_n(x0)} {_n(baseline - 5)}V{_n(baseline + 5)}"'
                    f' stroke="{_INK}" stroke-width="0.3"/>'
                )
    baseline = first_baseline + 3 * pitch
    parts.append(_calibration(baseline, "cal-3"))
    parts.append(
        _lead_group(
            ecg,
            "II",
            (0.0, 4 * column_s),
            TRACE_X0,
            baseline,
            group_id="rhythm-II",
            extra=' data-rhythm="true"',
        )
    )
    parts.append(
        f'<text x="{_n(width - 3)}" y="{_n(height - 3)}" text-anchor="end" font-size="3" '
        f'{_FONT} fill="#444">{_text(_scale_note(ecg))}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def render_strips_svg(
    ecg: ECG,
    *,
    leads: Sequence[str] | None = None,
    seconds_per_row: float = 10.0,
    max_seconds: float | None = None,
) -> str:
    """Rows of ``seconds_per_row`` per lead with mm:ss time labels, for long 1–2 lead records.

    At most ``max_seconds`` (default 60 s) are drawn; the SVG says so when it stops early.
    """
    chosen = list(ecg.lead_names if leads is None else leads)
    unknown = [lead for lead in chosen if lead not in ecg.leads]
    if unknown or not chosen:
        raise ValueError(f"Leads not in this recording: {', '.join(unknown) or '(none chosen)'}.")
    if not 1.0 <= seconds_per_row <= 60.0:
        raise ValueError("seconds_per_row must be between 1 and 60.")
    limit = DEFAULT_STRIP_SECONDS if max_seconds is None else float(max_seconds)
    if not limit > 0:
        raise ValueError("max_seconds must be positive.")
    shown = min(ecg.duration_s, limit)
    n_rows = max(1, math.ceil(shown / seconds_per_row - 1e-9))
    strip_mm, label_mm, top_mm = 30.0, 6.0, 12.0
    row_mm = label_mm + strip_mm * len(chosen)
    width = TRACE_X0 + seconds_per_row * MM_PER_S + 5
    height = top_mm + n_rows * row_mm + 5
    parts = _open_svg(ecg, width, height, layout="strips", title="ECG rhythm strips")
    note = f"{_scale_note(ecg)} · {format_duration(ecg.duration_s)} recorded"
    if shown < ecg.duration_s:
        note = (
            f"Showing the first {format_duration(shown)} of {format_duration(ecg.duration_s)}; "
            f"the rest is not drawn here. {_scale_note(ecg)}"
        )
    truncated = "true" if shown < ecg.duration_s else "false"
    parts.append(
        f'<text id="strip-note" x="3" y="7" font-size="3.5" {_FONT} fill="#333" '
        f'data-truncated="{truncated}" data-shown-s="{_n(shown)}">{_text(note)}</text>'
    )
    ids: set[str] = set()
    for row in range(n_rows):
        t0 = row * seconds_per_row
        t1 = min(t0 + seconds_per_row, shown)
        top = top_mm + row * row_mm
        parts.append(f'<g id="row-{row}" class="strip-row" data-t0="{_n(t0)}" data-t1="{_n(t1)}">')
        parts.append(
            f'<text class="time" x="3" y="{_n(top + 4.5)}" font-size="3.5" {_FONT} '
            f'fill="#333">{_text(_clock(t0))}</text>'
        )
        for index, lead in enumerate(chosen):
            baseline = top + label_mm + index * strip_mm + strip_mm / 2
            slug = _unique_id(f"row-{row}-lead-{_NOT_ID.sub('_', lead)}", ids)
            parts.append(_calibration(baseline, f"cal-{slug}"))
            parts.append(_lead_group(ecg, lead, (t0, t1), TRACE_X0, baseline, group_id=slug))
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def _open_svg(ecg: ECG, width: float, height: float, *, layout: str, title: str) -> list[str]:
    w, h = _n(width), _n(height)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="ecg-title" '
        f'data-layout="{layout}" data-mm-per-s="{_n(MM_PER_S)}" data-mm-per-mv="{_n(MM_PER_MV)}" '
        f'data-fs="{_n(ecg.fs)}" data-duration-s="{_n(ecg.duration_s)}" '
        f'data-width-mm="{w}" data-height-mm="{h}">',
        f'<title id="ecg-title">{_text(title)}, {_text(_scale_note(ecg))}</title>',
        f'<rect id="paper" width="{w}" height="{h}" fill="{_PAPER}"/>',
        _grid(width, height),
    ]


def _grid(width: float, height: float) -> str:
    minor: list[str] = []
    major: list[str] = []
    for x in range(int(width) + 1):
        (major if x % 5 == 0 else minor).append(f"M{x} 0V{_n(height)}")
    for y in range(int(height) + 1):
        (major if y % 5 == 0 else minor).append(f"M0 {y}H{_n(width)}")
    return (
        f'<g id="grid" fill="none" data-minor-mm="1" data-major-mm="5">'
        f'<path class="minor" stroke="{_MINOR}" stroke-width="0.08" d="{"".join(minor)}"/>'
        f'<path class="major" stroke="{_MAJOR}" stroke-width="0.18" d="{"".join(major)}"/></g>'
    )


def _calibration(baseline: float, element_id: str) -> str:
    """1 mV high, 200 ms wide, drawn just before the trace starts."""
    top = baseline - MM_PER_MV
    x1, x2 = 5.0, 5.0 + 0.2 * MM_PER_S
    return (
        f'<path class="calibration" id="{escape(element_id)}" data-mv="1" data-ms="200" '
        f'fill="none" stroke="{_INK}" stroke-width="0.3" '
        f'd="M2 {_n(baseline)}H{_n(x1)}V{_n(top)}H{_n(x2)}V{_n(baseline)}H{_n(TRACE_X0 - 2)}"/>'
    )


def _lead_group(
    ecg: ECG,
    lead: str,
    window: tuple[float, float],
    x0: float,
    baseline: float,
    *,
    group_id: str,
    extra: str = "",
) -> str:
    values = ecg.leads[lead]
    t0, t1 = window
    i0 = min(round(t0 * ecg.fs), len(values))
    i1 = min(round(t1 * ecg.fs), len(values))
    points = _polyline_points(values[i0:i1], ecg.fs, x0, baseline)
    return (
        f'<g id="{escape(group_id)}" class="lead" data-lead="{_text(lead)}" '
        f'data-t0="{_n(t0)}" data-t1="{_n(t1)}"{extra}>'
        f'<text x="{_n(x0 + 1.5)}" y="{_n(baseline - 11)}" font-size="3.5" {_FONT} '
        f'font-weight="bold" fill="{_INK}">{_text(lead)}</text>'
        f'<polyline class="trace" fill="none" stroke="{_INK}" stroke-width="0.3" '
        f'stroke-linejoin="round" stroke-linecap="round" points="{points}"/></g>'
    )


def _polyline_points(segment: FloatArray, fs: float, x0: float, baseline: float) -> str:
    if len(segment) == 0:
        return ""
    index = np.arange(len(segment), dtype=np.float64)
    values = segment - float(np.median(segment))  # paper ECGs are drawn on their own baseline
    per_column = int(fs * _COLUMN_MM / MM_PER_S)
    if fs > 500 and per_column >= 2:
        index, values = _min_max(values, per_column)
    xs = x0 + index / fs * MM_PER_S
    ys = baseline - values * MM_PER_MV
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))


def _min_max(values: FloatArray, size: int) -> tuple[FloatArray, FloatArray]:
    """Per block of ``size`` samples keep its lowest and highest point, in time order."""
    n_full = len(values) // size * size
    blocks = values[:n_full].reshape(-1, size)
    starts = np.arange(0, n_full, size)
    low = starts + np.argmin(blocks, axis=1)
    high = starts + np.argmax(blocks, axis=1)
    keep = np.stack([np.minimum(low, high), np.maximum(low, high)], axis=1).ravel()
    keep = np.concatenate([keep, np.arange(n_full, len(values))])
    keep = keep[np.concatenate([[True], np.diff(keep) != 0])]
    return keep.astype(np.float64), values[keep]


def _scale_note(ecg: ECG) -> str:
    return f"{MM_PER_S:g} mm/s · {MM_PER_MV:g} mm/mV · {ecg.fs:g} Hz"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _unique_id(candidate: str, taken: set[str]) -> str:
    unique, n = candidate, 2
    while unique in taken:
        unique, n = f"{candidate}-{n}", n + 1
    taken.add(unique)
    return unique


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value), quote=True)


def _n(value: float) -> str:
    """Round to 0.01 mm and drop trailing zeros: 12.50 -> "12.5", -0.00 -> "0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
