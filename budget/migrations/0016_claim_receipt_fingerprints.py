"""Claim receipts record their SHA-256 and size, so verify_receipts checks them too."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0015_payout_account_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='receipt_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='SHA-256 der Belegdatei'),
        ),
        migrations.AddField(
            model_name='claim',
            name='receipt_size',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='Größe der Belegdatei'),
        ),
    ]
