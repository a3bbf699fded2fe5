"""Receipt fingerprints (SHA-256, size) on the expense, and receipts handed in later as their own
append-only table. Adding the columns rebuilds budget_expense on SQLite, so its append-only
triggers are re-created after it (``altering_append_only``)."""

import budget.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ._append_only import altering_append_only, append_only


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0007_claims_orders_payouts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *altering_append_only(
            'budget_expense',
            migrations.AddField(
                model_name='expense',
                name='receipt_sha256',
                field=models.CharField(blank=True, max_length=64, verbose_name='SHA-256 der Belegdatei'),
            ),
            migrations.AddField(
                model_name='expense',
                name='receipt_size',
                field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='Größe der Belegdatei'),
            ),
        ),
        migrations.CreateModel(
            name='ReceiptAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, storage=budget.models.PrivateStorage(), upload_to=budget.models.receipt_upload_to, verbose_name='Beleg')),
                ('original_name', models.CharField(blank=True, max_length=255, verbose_name='ursprünglicher Dateiname')),
                ('content_type', models.CharField(max_length=100, verbose_name='Dateityp')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256 der Belegdatei')),
                ('size', models.PositiveBigIntegerField(verbose_name='Größe der Belegdatei')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='nachgereicht am')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='nachgereicht von')),
                ('expense', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='late_receipt', to='budget.expense', verbose_name='Ausgabe')),
            ],
            options={
                'verbose_name': 'nachgereichter Beleg',
                'verbose_name_plural': 'nachgereichte Belege',
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('file', ''), _negated=True), name='receiptattachment_file_required'), models.CheckConstraint(condition=models.Q(('size__gt', 0)), name='receiptattachment_size_positive')],
            },
        ),
        append_only('budget_receiptattachment'),
    ]
