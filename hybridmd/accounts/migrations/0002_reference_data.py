from typing import Any

from django.db import migrations

from hybridmd.accounts.reference_data import sync_roles, sync_specialties


def load(apps: Any, schema_editor: Any) -> None:
    sync_roles(apps.get_model("accounts", "Role"))
    sync_specialties(apps.get_model("accounts", "Specialty"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
