"""The auditor role (Rechnungsprüfer*in, Finanzrevision): sees what the director sees, changes
nothing. The permission list is written out here, not imported from ``budget.roles``, so the
migration keeps meaning what it meant when it was written."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUDITOR = "auditor"
AUDITOR_PERMISSIONS = [
    "view_resolution",
    "view_resolutionattachment",
    "view_budget",
    "view_category",
    "view_expense",
    "view_reversal",
    "export_budget",
    # claims, orders and payouts (migration 0007)
    "view_claim",
    "view_claimevent",
    "view_order",
    "view_orderevent",
    "view_payoutbatch",
    "view_payoutaccount",
]


def create_auditor(apps, schema_editor):
    app_config = apps.get_app_config("budget")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=AUDITOR)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="budget", codename__in=AUDITOR_PERMISSIONS
        )
    )


def remove_auditor(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0010_positions_accounts_cost_centre"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_auditor, remove_auditor)]
