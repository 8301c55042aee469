from typing import Any

from django.db import migrations

from hybridmd.community.reference_data import sync_boards


def load(apps: Any, schema_editor: Any) -> None:
    sync_boards(apps.get_model("community", "Board"))


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
