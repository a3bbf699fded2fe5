"""Claims, orders and payouts reserve money before it is spent; the helper role.

The permissions each role gets are listed here (not imported from budget.roles), so this
migration does the same forever.
"""

import budget.models
import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from ._append_only import append_only

CLAIMS_VIEW = [
    "view_claim",
    "view_claimevent",
    "view_order",
    "view_orderevent",
    "view_payoutbatch",
    "view_payoutaccount",
]
NEW_PERMISSIONS = {
    "treasurer": [
        *CLAIMS_VIEW,
        "add_claim",
        "approve_claim",
        "add_order",
        "approve_order",
        "add_payoutbatch",
        "change_payoutaccount",
    ],
    "director": [*CLAIMS_VIEW, "add_claim", "approve_claim", "approve_order"],
    "helper": ["add_claim"],
}


def add_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("budget")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in NEW_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="budget", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="helper").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0006_budget_closing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Claim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(editable=False, verbose_name='Nummer')),
                ('kind', models.CharField(choices=[('expense', 'Auslage'), ('travel', 'Fahrtkosten')], default='expense', max_length=10, verbose_name='Art')),
                ('state', models.CharField(choices=[('submitted', 'eingereicht'), ('approved', 'genehmigt'), ('paid', 'ausgezahlt'), ('waived', 'verzichtet'), ('rejected', 'abgelehnt'), ('withdrawn', 'zurückgezogen')], default='submitted', max_length=10, verbose_name='Stand')),
                ('spent_on', models.DateField(verbose_name='Datum')),
                ('payee', models.CharField(max_length=200, verbose_name='Empfänger')),
                ('description', models.CharField(max_length=500, verbose_name='Beschreibung')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='Betrag')),
                ('quantity', models.PositiveIntegerField(default=1, verbose_name='Menge')),
                ('travel_from', models.CharField(blank=True, max_length=200, verbose_name='von')),
                ('travel_to', models.CharField(blank=True, max_length=200, verbose_name='nach')),
                ('purpose', models.CharField(blank=True, max_length=300, verbose_name='Zweck der Fahrt')),
                ('km', models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True, verbose_name='Kilometer')),
                ('vehicle', models.CharField(blank=True, choices=[('car', 'Pkw'), ('other', 'anderes Kraftfahrzeug (Motorrad, Moped)')], max_length=5, verbose_name='Fahrzeug')),
                ('km_rate', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='Satz je km')),
                ('receipt', models.FileField(blank=True, max_length=200, storage=budget.models._private_storage, upload_to=budget.models.claim_receipt_upload_to, verbose_name='Beleg')),
                ('receipt_original_name', models.CharField(blank=True, max_length=255, verbose_name='ursprünglicher Dateiname')),
                ('receipt_content_type', models.CharField(blank=True, max_length=100, verbose_name='Dateityp')),
                ('iban', models.CharField(max_length=34, verbose_name='IBAN')),
                ('bic', models.CharField(blank=True, max_length=11, verbose_name='BIC')),
                ('account_holder', models.CharField(max_length=70, verbose_name='Kontoinhaber*in')),
                ('submitted_at', models.DateTimeField(auto_now_add=True, verbose_name='eingereicht am')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='genehmigt am')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='Grund der Ablehnung')),
                ('paid_on', models.DateField(blank=True, null=True, verbose_name='ausgezahlt am')),
                ('waived_at', models.DateTimeField(blank=True, null=True, verbose_name='verzichtet am')),
                ('submission_key', models.UUIDField(blank=True, editable=False, null=True, verbose_name='Einmalschlüssel')),
            ],
            options={
                'verbose_name': 'Erstattung',
                'verbose_name_plural': 'Erstattungen',
                'ordering': ['-number'],
                'permissions': [('approve_claim', 'Kann Erstattungen genehmigen oder ablehnen')],
            },
        ),
        migrations.CreateModel(
            name='ClaimEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('submitted', 'eingereicht'), ('first_approval', 'erste Freigabe'), ('approved', 'genehmigt und gebucht'), ('rejected', 'abgelehnt'), ('withdrawn', 'zurückgezogen'), ('waived', 'auf Auszahlung verzichtet'), ('in_batch', 'zur Auszahlung vorgesehen'), ('paid', 'ausgezahlt')], max_length=20, verbose_name='Schritt')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='am')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='Notiz')),
            ],
            options={
                'verbose_name': 'Schritt einer Erstattung',
                'verbose_name_plural': 'Schritte von Erstattungen',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(editable=False, verbose_name='Nummer')),
                ('state', models.CharField(choices=[('awaiting', 'wartet auf zweite Freigabe'), ('open', 'bestellt'), ('booked', 'abgerechnet'), ('cancelled', 'storniert')], max_length=10, verbose_name='Stand')),
                ('supplier', models.CharField(max_length=200, verbose_name='Lieferant')),
                ('description', models.CharField(max_length=500, verbose_name='Beschreibung')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='erwarteter Betrag')),
                ('quantity', models.PositiveIntegerField(default=1, verbose_name='Menge')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='bestellt am')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='Grund der Stornierung')),
                ('submission_key', models.UUIDField(blank=True, editable=False, null=True, verbose_name='Einmalschlüssel')),
            ],
            options={
                'verbose_name': 'Bestellung',
                'verbose_name_plural': 'Bestellungen',
                'ordering': ['-number'],
                'permissions': [('approve_order', 'Kann Bestellungen als zweite Person freigeben')],
            },
        ),
        migrations.CreateModel(
            name='OrderEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('ordered', 'bestellt'), ('approved', 'zweite Freigabe'), ('booked', 'Rechnung gebucht'), ('cancelled', 'storniert')], max_length=20, verbose_name='Schritt')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='am')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='Notiz')),
            ],
            options={
                'verbose_name': 'Schritt einer Bestellung',
                'verbose_name_plural': 'Schritte von Bestellungen',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PayoutAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_holder', models.CharField(max_length=70, verbose_name='Kontoinhaber*in')),
                ('iban', models.CharField(max_length=34, verbose_name='IBAN')),
                ('bic', models.CharField(max_length=11, verbose_name='BIC')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='geändert am')),
            ],
            options={
                'verbose_name': 'Auszahlungskonto',
                'verbose_name_plural': 'Auszahlungskonten',
            },
        ),
        migrations.CreateModel(
            name='PayoutBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(editable=False, verbose_name='Nummer')),
                ('total', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='Summe')),
                ('claim_count', models.PositiveIntegerField(default=0, verbose_name='Erstattungen')),
                ('debtor_name', models.CharField(max_length=70, verbose_name='Kontoinhaber*in')),
                ('debtor_iban', models.CharField(max_length=34, verbose_name='IBAN')),
                ('debtor_bic', models.CharField(max_length=11, verbose_name='BIC')),
                ('message_id', models.CharField(max_length=35, unique=True, verbose_name='Nachrichten-ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='erstellt am')),
                ('paid_on', models.DateField(blank=True, null=True, verbose_name='bezahlt am')),
                ('submission_key', models.UUIDField(blank=True, editable=False, null=True, verbose_name='Einmalschlüssel')),
            ],
            options={
                'verbose_name': 'Auszahlung',
                'verbose_name_plural': 'Auszahlungen',
                'ordering': ['-number'],
            },
        ),
        migrations.AddField(
            model_name='budget',
            name='accepts_claims',
            field=models.BooleanField(default=False, help_text='Helfer*innen können für dieses Budget Auslagen und Fahrtkosten einreichen.', verbose_name='nimmt Erstattungsanträge an'),
        ),
        migrations.AddField(
            model_name='budget',
            name='km_rate_car',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.30'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='Kilometersatz Pkw'),
        ),
        migrations.AddField(
            model_name='budget',
            name='km_rate_other',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.20'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='Kilometersatz andere Kraftfahrzeuge'),
        ),
        migrations.AddField(
            model_name='budget',
            name='reserved_claims',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), editable=False, max_digits=12, verbose_name='vorgemerkt für Erstattungen'),
        ),
        migrations.AddField(
            model_name='budget',
            name='reserved_orders',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), editable=False, max_digits=12, verbose_name='vorgemerkt für Bestellungen'),
        ),
        migrations.AddField(
            model_name='budget',
            name='second_approval_above',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Erstattungen und Bestellungen über diesem Betrag brauchen eine zweite Freigabe durch eine andere Person.', max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='zweite Freigabe über'),
        ),
        migrations.AddField(
            model_name='category',
            name='reserved',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), editable=False, max_digits=12, verbose_name='vorgemerkt'),
        ),
        migrations.AddField(
            model_name='category',
            name='reserved_quantity',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='Menge vorgemerkt'),
        ),
        migrations.AddConstraint(
            model_name='budget',
            constraint=models.CheckConstraint(condition=models.Q(('reserved_claims__gte', 0), ('reserved_orders__gte', 0)), name='budget_reserved_non_negative'),
        ),
        migrations.RemoveConstraint(
            model_name='budget',
            name='budget_spent_within_cap',
        ),
        migrations.AddConstraint(
            model_name='budget',
            constraint=models.CheckConstraint(condition=models.Q(('spent__lte', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('cap'), '-', models.F('reserved_claims')), '-', models.F('reserved_orders')))), name='budget_spent_within_cap'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('reserved__gte', 0)), name='category_reserved_non_negative'),
        ),
        migrations.RemoveConstraint(
            model_name='category',
            name='category_quantity_within_cap',
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_cap__isnull', True), ('quantity__lte', django.db.models.expressions.CombinedExpression(models.F('quantity_cap'), '-', models.F('reserved_quantity'))), _connector='OR'), name='category_quantity_within_cap'),
        ),
        migrations.AddField(
            model_name='claim',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='genehmigt von'),
        ),
        migrations.AddField(
            model_name='claim',
            name='budget',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='budget.budget', verbose_name='Budget'),
        ),
        migrations.AddField(
            model_name='claim',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='budget.category', verbose_name='Kategorie'),
        ),
        migrations.AddField(
            model_name='claim',
            name='expense',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claim', to='budget.expense', verbose_name='Buchung'),
        ),
        migrations.AddField(
            model_name='claim',
            name='first_approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='erste Freigabe von'),
        ),
        migrations.AddField(
            model_name='claim',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='claims', to=settings.AUTH_USER_MODEL, verbose_name='eingereicht von'),
        ),
        migrations.AddField(
            model_name='claimevent',
            name='actor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='von'),
        ),
        migrations.AddField(
            model_name='claimevent',
            name='claim',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='budget.claim'),
        ),
        migrations.AddField(
            model_name='order',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='zweite Freigabe von'),
        ),
        migrations.AddField(
            model_name='order',
            name='budget',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='budget.budget', verbose_name='Budget'),
        ),
        migrations.AddField(
            model_name='order',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='budget.category', verbose_name='Kategorie'),
        ),
        migrations.AddField(
            model_name='order',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='bestellt von'),
        ),
        migrations.AddField(
            model_name='order',
            name='expense',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='order', to='budget.expense', verbose_name='Buchung'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='actor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='von'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='budget.order'),
        ),
        migrations.AddField(
            model_name='payoutaccount',
            name='budget',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='payout_account', to='budget.budget', verbose_name='Budget'),
        ),
        migrations.AddField(
            model_name='payoutaccount',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='geändert von'),
        ),
        migrations.AddField(
            model_name='payoutbatch',
            name='budget',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payout_batches', to='budget.budget', verbose_name='Budget'),
        ),
        migrations.AddField(
            model_name='payoutbatch',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='erstellt von'),
        ),
        migrations.AddField(
            model_name='payoutbatch',
            name='paid_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='als bezahlt markiert von'),
        ),
        migrations.AddField(
            model_name='claim',
            name='payout_batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claims', to='budget.payoutbatch', verbose_name='Auszahlung'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='order_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='order_quantity_positive'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(fields=('budget', 'number'), name='order_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(fields=('budget', 'submission_key'), name='order_submission_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'booked'), _negated=True), ('expense__isnull', False), _connector='OR'), name='order_booked_has_expense'),
        ),
        migrations.AddConstraint(
            model_name='payoutbatch',
            constraint=models.UniqueConstraint(fields=('budget', 'number'), name='payout_batch_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='payoutbatch',
            constraint=models.UniqueConstraint(fields=('budget', 'submission_key'), name='payout_batch_submission_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='payoutbatch',
            constraint=models.CheckConstraint(condition=models.Q(('total__gt', 0)), name='payout_batch_total_positive'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['budget', 'state'], name='claim_budget_state'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='claim_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='claim_quantity_positive'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.UniqueConstraint(fields=('budget', 'number'), name='claim_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.UniqueConstraint(fields=('budget', 'submission_key'), name='claim_submission_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'rejected'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='claim_rejection_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['submitted', 'rejected', 'withdrawn']), ('expense__isnull', False), _connector='OR'), name='claim_approved_is_booked'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'travel'), _negated=True), models.Q(('km__gt', 0), ('km_rate__gt', 0)), _connector='OR'), name='claim_travel_has_km'),
        ),
        migrations.RunPython(add_roles, remove_roles),
        append_only("budget_claimevent"),
        append_only("budget_orderevent"),
    ]
