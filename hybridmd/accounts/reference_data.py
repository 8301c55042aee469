"""Roles and specialties live in ``data/*.json``; this loads them into the database.

Called by data migrations (with historical models) and by ``demo_seed``; safe to run
again after the JSON changes: rows are matched by code and updated in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def _load(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = json.load(handle)[name]
    return rows


def sync_roles(role_model: Any) -> int:
    rows = _load("roles")
    for row in rows:
        role_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_ko": row["name_ko"],
                "name_en": row["name_en"],
                "scope": row["scope"],
                "requires_mfa": row["requires_mfa"],
                "permissions": sorted(row["permissions"]),
            },
        )
    return len(rows)


def sync_specialties(specialty_model: Any) -> int:
    rows = _load("specialties")
    by_code: dict[str, Any] = {}
    for order, row in enumerate(rows):
        parent = by_code.get(row["parent"]) if row.get("parent") else None
        specialty, _ = specialty_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_ko": row["name_ko"],
                "name_en": row["name_en"],
                "parent": parent,
                "sort_order": order,
            },
        )
        by_code[row["code"]] = specialty
    return len(rows)
