"""Every role may look at the DATEV settings (the export page shows them); only admins change
them. The list is written out here rather than imported from ``budget.roles``."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["treasurer", "director", "auditor"]
PERMISSIONS = ["view_datevsettings", "view_historicaldatevsettings"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("budget")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="budget", codename__in=PERMISSIONS)
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="budget", codename__in=PERMISSIONS
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0012_datevsettings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
