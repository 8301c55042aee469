"""Boards live in ``data/boards.json``; data migrations and ``demo_seed`` load them here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "boards.json"


def board_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DATA_FILE.read_text(encoding="utf-8"))["boards"]
    return rows


def sync_boards(board_model: Any) -> int:
    rows = board_rows()
    # Older data migrations pass a historical model that lacks later fields.
    known = {f.name for f in board_model._meta.get_fields()}
    for order, row in enumerate(rows):
        values = {
            "kind": row["kind"],
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "description_ko": row["description_ko"],
            "description_en": row["description_en"],
            "post_permission": row["post"],
            "answer_permission": row["answer"],
            "allows_anonymous": row["anonymous"],
            "allows_polls": row["polls"],
            "allows_files": row.get("files", False),
            "sort_order": order,
        }
        board_model.objects.update_or_create(
            slug=row["slug"], defaults={k: v for k, v in values.items() if k in known}
        )
    return len(rows)
