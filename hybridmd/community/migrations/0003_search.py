"""The search index table, and its vendor-specific full-text structures (see search.schema)."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from hybridmd.community.search import schema


def install(apps: Any, schema_editor: Any) -> None:
    schema.install(schema_editor.connection)


def uninstall(apps: Any, schema_editor: Any) -> None:
    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_consultantprofile"),
        ("community", "0002_boards"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("post", "post"), ("answer", "answer"), ("comment", "comment")],
                        max_length=8,
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                ("tags", models.TextField(blank=True)),
                ("answered", models.BooleanField(default=False)),
                ("visible", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("title_terms", models.TextField(blank=True)),
                ("terms", models.TextField(blank=True)),
                ("snippet_source", models.TextField(blank=True)),
                (
                    "board",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.board",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="community.post",
                    ),
                ),
                (
                    "specialty",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.specialty",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["visible", "created_at"], name="search_entry_recent")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_once")
                ],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
