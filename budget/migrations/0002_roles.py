"""The two roles. Permissions are created here (not only after migrate) so the groups get them
on the very first migrate of a fresh database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from budget.roles import ROLES, sync_roles


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("budget")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
