"""Closing a budget records who, when and why (and the same for reopening); directors may close.

The permission is granted here with the codenames written out: migrations never import live app
code (budget.roles may change later)."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.conf import settings
from django.db import migrations, models


def let_directors_close(apps, schema_editor):
    app_config = apps.get_app_config("budget")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    close = Permission.objects.filter(content_type__app_label="budget", codename="close_budget")
    for group in Group.objects.filter(name="director"):
        group.permissions.add(*close)


def no_longer_let_directors_close(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="budget", codename="close_budget").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0005_one_time_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='budget',
            options={'ordering': ['-starts_on', 'name'], 'permissions': [('export_budget', 'Kann Budgets auswerten und exportieren'), ('close_budget', 'Kann Budgets abschließen')], 'verbose_name': 'Budget', 'verbose_name_plural': 'Budgets'},
        ),
        migrations.AddField(
            model_name='budget',
            name='close_note',
            field=models.TextField(blank=True, editable=False, verbose_name='Abschlussvermerk'),
        ),
        migrations.AddField(
            model_name='budget',
            name='closed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='abgeschlossen am'),
        ),
        migrations.AddField(
            model_name='budget',
            name='closed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='abgeschlossen von'),
        ),
        migrations.AddField(
            model_name='budget',
            name='reopen_reason',
            field=models.TextField(blank=True, editable=False, verbose_name='Grund der Wiedereröffnung'),
        ),
        migrations.AddField(
            model_name='budget',
            name='reopened_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='wieder geöffnet am'),
        ),
        migrations.AddField(
            model_name='budget',
            name='reopened_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='wieder geöffnet von'),
        ),
        migrations.AlterField(
            model_name='budget',
            name='is_closed',
            field=models.BooleanField(default=False, editable=False, help_text='Ein abgeschlossenes Budget nimmt keine Buchungen mehr an.', verbose_name='abgeschlossen'),
        ),
        migrations.RunPython(let_directors_close, no_longer_let_directors_close),
    ]
