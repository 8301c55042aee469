"""Write the OpenAPI schema to tests/snapshots/openapi.json, after a deliberate API change."""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[2] / "tests" / "snapshots" / "openapi.json"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hybridmd.config.settings_test")
    import django  # noqa: PLC0415 -- settings must be chosen first

    django.setup()
    from hybridmd.config.api import api  # noqa: PLC0415

    schema = api.get_openapi_schema()
    SNAPSHOT.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
