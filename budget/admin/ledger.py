"""Admin site: the resolution records. Expenses are added only through ``record_expense`` and
are read-only once booked; reversal is an admin action that asks for a reason."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from budget import access, exceptions, services
from budget.forms.expenses import GermanDecimalField, booking_kwargs
from budget.forms.one_time_keys import OneTimeKeyField, OneTimeKeyMixin
from budget.localtime import format_local
from budget.models import (
    Budget,
    Category,
    Expense,
    ReceiptAttachment,
    Resolution,
    ResolutionAttachment,
    Reversal,
)
from budget.models.datev import DatevSettings
from budget.money import format_eur
from budget.reports import audit
from budget.templatetags.money import percent
from budget.validators import no_control_characters

# Money is typed the German way in the admin too: 2.500,00 or 12,50.
MONEY_INPUT = {models.DecimalField: {"form_class": GermanDecimalField}}


class LabelledInlineMixin:
    """A tabular inline's inputs sit under column headers, which are not labels: give each input
    its field's name as its accessible label (screen readers, axe)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name))
        return field


class AdminStyles:
    css = {"all": ["budget/admin.css"]}


class NotReversedFilter(admin.SimpleListFilter):
    title = _("storniert")
    parameter_name = "storniert"

    def lookups(self, request, model_admin):
        return [("ja", _("ja")), ("nein", _("nein"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(reversal__isnull=False)
        if self.value() == "nein":
            return queryset.filter(reversal__isnull=True)
        return queryset


class RefusesInvisibleCharacters:
    """Every text field of the admin refuses control, bidi and zero-width characters, like the
    app's forms (budget.validators)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.CharField | models.TextField) and isinstance(
            field, forms.CharField
        ):
            field.validators.append(no_control_characters)
        return field


class ClosedBudgetStaysAsItIs(forms.ModelForm):
    """A closed budget takes no later entries, in the admin neither; reopening is on its page."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_closed and self.has_changed():
            raise ValidationError(
                _(
                    "Das Budget „%(budget)s“ ist abgeschlossen und kann nicht geändert werden; "
                    "zuerst auf seiner Übersicht wieder öffnen."
                )
                % {"budget": self.instance.name}
            )
        return cleaned


class BudgetInline(LabelledInlineMixin, RefusesInvisibleCharacters, admin.TabularInline):
    model = Budget
    form = ClosedBudgetStaysAsItIs
    formfield_overrides = MONEY_INPUT
    extra = 0
    fields = ["name", "cap", "currency", "starts_on", "ends_on", "is_closed", "spent"]
    readonly_fields = ["spent", "is_closed"]
    show_change_link = True
    can_delete = False


class AttachmentInline(LabelledInlineMixin, RefusesInvisibleCharacters, admin.TabularInline):
    model = ResolutionAttachment
    extra = 0
    can_delete = False
    fields = ["file", "description", "original_name", "download"]
    readonly_fields = ["original_name", "download"]

    @admin.display(description=_("öffnen"))
    def download(self, obj):
        if not obj.pk:
            return "–"
        url = reverse("budget:attachment", args=[obj.resolution_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("herunterladen"))


class HistoryAdmin(SimpleHistoryAdmin):
    """The "Verlauf" of an edited record: who changed what when, old → new (read-only)."""

    history_list_display = ["changed_fields"]

    @admin.display(description=_("geändert"))
    def changed_fields(self, record):
        return audit.record_summary(record)


@admin.register(Resolution)
class ResolutionAdmin(RefusesInvisibleCharacters, HistoryAdmin):
    list_display = ["reference_display", "title", "decided_on", "outcome", "votes", "cap_total"]
    list_display_links = ["reference_display", "title"]
    list_filter = ["year", "outcome", "body"]
    search_fields = ["=number", "title", "text", "rationale"]
    date_hierarchy = "decided_on"
    inlines = [BudgetInline, AttachmentInline]
    readonly_fields = ["created_at", "updated_at"]
    Media = AdminStyles
    fieldsets = [
        (None, {"fields": [("number", "year"), "title", "organisation", "body", "decided_on"]}),
        (
            _("Abstimmung"),
            {"fields": ["outcome", "addendum", ("votes_for", "votes_against", "votes_abstained")]},
        ),
        (_("Inhalt"), {"fields": ["text", "rationale", "responsible"]}),
        (
            _("Maßnahmen und Verteilung"),
            {
                "fields": [
                    "political_message",
                    "pr_measures",
                    "further_measures",
                    "finance_note",
                    "coordinated_with",
                    "recipients",
                    "attachments_note",
                    "is_signed",
                ]
            },
        ),
        (_("Verlauf"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_cap_total=Sum("budgets__cap"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            # The admin's save runs in one transaction; hold the budgets still while their
            # inline forms validate the cap and period against what is booked.
            list(Budget.objects.select_for_update().filter(resolution=obj).values_list("pk"))
        return obj

    @admin.display(description=_("Nr."), ordering=("year", "number"))
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description=_("dafür / dagegen / Enthaltungen"))
    def votes(self, obj):
        return obj.vote_tally

    @admin.display(description=_("Obergrenze"), ordering="_cap_total")
    def cap_total(self, obj):
        return format_eur(obj._cap_total) if obj._cap_total is not None else "–"

    def has_delete_permission(self, request, obj=None):
        # A resolution with budgets is protected; offering "Löschen" would only end in a refusal.
        if obj is None:
            return False
        return super().has_delete_permission(request, obj) and not obj.budgets.exists()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ResolutionAttachment) and not instance.original_name:
                instance.original_name = instance.file.name.rsplit("/", 1)[-1]
        formset.save()


class CategoryInline(LabelledInlineMixin, RefusesInvisibleCharacters, admin.TabularInline):
    model = Category
    formfield_overrides = MONEY_INPUT
    extra = 0
    fields = [
        "name",
        "order",
        "planned",
        "over_plan",
        "quantity_cap",
        "quantity_unit",
        "position",
        "account",
        "spent",
        "quantity",
    ]
    readonly_fields = ["spent", "quantity"]

    def has_delete_permission(self, request, obj=None):
        # A category that carries bookings is protected by the database anyway; keep the UI honest.
        return False


@admin.register(Budget)
class BudgetAdmin(RefusesInvisibleCharacters, HistoryAdmin):
    formfield_overrides = MONEY_INPUT
    list_display = [
        "name",
        "resolution",
        "cap_display",
        "spent_display",
        "remaining_display",
        "share_display",
        "is_closed",
    ]
    list_filter = ["is_closed", "resolution__year"]
    search_fields = ["name", "resolution__title"]
    list_select_related = ["resolution"]
    inlines = [CategoryInline]
    Media = AdminStyles
    readonly_fields = [
        "spent_display",
        "remaining_display",
        "share_display",
        "last_receipt_number",
        "is_closed",
        "closing_display",
        "reserved_claims",
        "reserved_orders",
    ]
    fields = [
        "resolution",
        "name",
        "cap",
        "currency",
        ("starts_on", "ends_on"),
        "is_closed",
        "cost_centre",
        "closing_display",
        "spent_display",
        "remaining_display",
        "share_display",
        "last_receipt_number",
        # Claims and orders (budget.models)
        "accepts_claims",
        "second_approval_above",
        ("km_rate_car", "km_rate_other"),
        ("reserved_claims", "reserved_orders"),
    ]

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST":
            # Lock the row for the admin's save transaction: the cap and period are validated
            # against the running totals, and no booking may slip in between.
            queryset = self.get_queryset(request).select_for_update(of=("self",))
            try:
                return queryset.get(pk=object_id)
            except (Budget.DoesNotExist, ValueError, ValidationError):
                return None
        return super().get_object(request, object_id, from_field)

    @admin.display(description=_("Obergrenze"), ordering="cap")
    def cap_display(self, obj):
        return format_eur(obj.cap)

    @admin.display(description=_("ausgegeben"), ordering="spent")
    def spent_display(self, obj):
        return format_eur(obj.spent) if obj.pk else "–"

    @admin.display(description=_("noch verfügbar"))
    def remaining_display(self, obj):
        return format_eur(obj.remaining) if obj.pk else "–"

    @admin.display(description=_("Anteil verbraucht"))
    def share_display(self, obj):
        return percent(obj.share_used) if obj.pk else "–"

    @admin.display(description=_("Abschluss"))
    def closing_display(self, obj):
        if not obj.pk:
            return "–"
        html = render_to_string("budget/_closing_note.html", {"budget": obj})
        url = reverse("budget:budget_dashboard", args=[obj.pk])
        return format_html(
            '{}<a href="{}">{}</a>',
            mark_safe(html),  # noqa: S308 - our own template, autoescaped
            url,
            _("Abschließen und wieder öffnen auf der Übersicht des Budgets"),
        )

    def has_change_permission(self, request, obj=None):
        # A closed budget is shown, never changed (its categories neither).
        if obj is not None and obj.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(HistoryAdmin):
    """Categories are edited on their budget's page (which locks the budget row); here they are
    listed with their "Verlauf"."""

    list_display = ["name", "budget", "planned", "over_plan", "quantity_cap", "spent", "quantity"]
    list_filter = ["budget"]
    list_select_related = ["budget"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExpenseAdminForm(OneTimeKeyMixin, forms.ModelForm):
    """Add form whose validation *is* the booking: ``record_expense`` decides, and a refusal
    becomes a form error, so nothing is saved and the German message is shown. A resend of the
    same form (same one-time key) books nothing and leads to the expense it booked."""

    one_time_key = OneTimeKeyField()
    amount = GermanDecimalField(label=_("Betrag (brutto)"))

    class Meta:
        model = Expense
        fields = [
            "budget",
            "category",
            "spent_on",
            "payee",
            "description",
            "amount",
            "quantity",
            "receipt",
        ]

    request = None
    booking = None
    already_booked = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.booking = services.record_expense(
                budget=cleaned["budget"],
                receipt=cleaned.get("receipt") or None,
                created_by=self.request.user,
                booking_key=self.one_time_key,
                **booking_kwargs(cleaned),
            )
        except exceptions.AlreadyBooked as exc:
            self.already_booked = exc
        except exceptions.BookingError as exc:
            if exc.field and exc.field in self.fields:
                self.add_error(exc.field, exc.message)
            else:
                raise ValidationError(exc.message) from exc
        return cleaned

    def _post_clean(self):
        # The booking service validates and saves; the model's own full_clean would only
        # repeat it against an instance that has no receipt number yet.
        pass


class ReversalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Stornierung"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )


@admin.register(Expense)
class ExpenseAdmin(RefusesInvisibleCharacters, admin.ModelAdmin):
    form = ExpenseAdminForm
    list_display = [
        "receipt_number",
        "spent_on",
        "payee",
        "category",
        "amount_display",
        "quantity",
        "has_receipt",
        "reversed_display",
    ]
    list_filter = ["budget", "category", NotReversedFilter]
    search_fields = ["=receipt_number", "payee", "description"]
    list_select_related = ["budget", "category", "created_by", "reversal"]
    date_hierarchy = "spent_on"
    actions = ["reverse_selected"]

    @admin.display(description=_("Betrag"), ordering="amount")
    def amount_display(self, obj):
        return format_eur(obj.amount)

    @admin.display(description=_("Beleg"), boolean=True)
    def has_receipt(self, obj):
        return bool(obj.receipt)

    @admin.display(description=_("storniert"), boolean=True)
    def reversed_display(self, obj):
        return obj.is_reversed

    @admin.display(description=_("Stornierung"))
    def reversal_display(self, obj):
        if not obj.is_reversed:
            return "–"
        r = obj.reversal
        return _("%(when)s von %(who)s: %(reason)s") % {
            "when": format_local(r.created_at),
            "who": r.created_by,
            "reason": r.reason,
        }

    @admin.display(description=_("Belegdatei"))
    def receipt_link(self, obj):
        if not obj.receipt:
            return "–"
        url = reverse("budget:expense_receipt", args=[obj.budget_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.receipt_original_name or _("öffnen"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    class Media:
        js = ["budget/submit-once.js"]
        css = AdminStyles.css

    def get_fields(self, request, obj=None):
        booking_fields = ExpenseAdminForm.Meta.fields
        if obj is None:
            return [*booking_fields, "one_time_key"]
        # A booked line: every field read-only, the file as a link to the access-checked view.
        return [
            "receipt_number",
            *(("receipt_link" if name == "receipt" else name) for name in booking_fields),
            "receipt_original_name",
            "receipt_content_type",
            "receipt_sha256",
            "receipt_size",
            "created_by",
            "created_at",
            "reversal_display",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        # The booking already happened in the form's validation; point the admin at the saved row.
        if form.already_booked:
            booked = form.already_booked.expense
            obj.already_booked = form.already_booked
        else:
            booked = form.booking.expense
            for warning in form.booking.warnings:
                messages.warning(request, warning)
        obj.pk = booked.pk
        obj.receipt_number = booked.receipt_number
        obj._state.adding = False
        obj._state.db = booked._state.db

    def log_addition(self, request, obj, message):
        if getattr(obj, "already_booked", None):
            return None  # nothing was added; the first send was logged
        return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "already_booked", None):
            self.message_user(request, obj.already_booked.message, messages.INFO)
            return HttpResponseRedirect(reverse("admin:budget_expense_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def has_change_permission(self, request, obj=None):
        # Viewing stays possible; saving a change never is.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.can_reverse(request.user):
            actions.pop("reverse_selected", None)
        return actions

    @admin.action(description=_("Ausgewählte Ausgaben stornieren …"))
    def reverse_selected(self, request, queryset):
        form = ReversalReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for expense in queryset.order_by("receipt_number"):
                try:
                    services.reverse_expense(
                        expense=expense,
                        reason=form.cleaned_data["reason"],
                        created_by=request.user,
                    )
                    done += 1
                except exceptions.BookingError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d Ausgabe storniert.", "%(count)d Ausgaben storniert.", done)
                    % {"count": done},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ausgaben stornieren"),
            "opts": self.model._meta,
            "queryset": queryset.select_related("category"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/budget/expense/reverse_confirmation.html", context)


@admin.register(Reversal)
class ReversalAdmin(admin.ModelAdmin):
    list_display = ["expense", "reason", "created_by", "created_at"]
    list_select_related = ["expense", "created_by"]
    search_fields = ["reason", "=expense__receipt_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DatevSettings)
class DatevSettingsAdmin(SimpleHistoryAdmin):
    """One row, kept and audited here; the list page goes straight to it."""

    fieldsets = [
        (None, {"fields": [("adviser_number", "client_number"), "fiscal_year_start_month"]}),
        (
            _("Konten"),
            {"fields": [("chart_of_accounts", "account_length"), "contra_account", "lock_batch"]},
        ),
        (_("Verlauf"), {"fields": ["updated_at"]}),
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DatevSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings = DatevSettings.load()
        if settings is not None:
            return redirect("admin:budget_datevsettings_change", settings.pk)
        if self.has_add_permission(request):
            return redirect("admin:budget_datevsettings_add")
        return super().changelist_view(request, extra_context)


@admin.register(ReceiptAttachment)
class ReceiptAttachmentAdmin(admin.ModelAdmin):
    """Receipts handed in later: read-only here, added from the expense page."""

    list_display = ["expense", "original_name", "size", "sha256", "created_by", "created_at"]
    list_select_related = ["expense", "created_by"]
    search_fields = ["=expense__receipt_number", "original_name", "=sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The navigation sidebar would take a third of a 1366 px screen from the inlines.
admin.site.enable_nav_sidebar = False
admin.site.site_header = _("Beschlusskasse – Verwaltung")
admin.site.site_title = _("Beschlusskasse")
admin.site.index_title = _("Beschlüsse, Budgets und Ausgaben")


class UserHistoryAdmin(RefusesInvisibleCharacters, HistoryAdmin, UserAdmin):
    """Users with the "Verlauf" of their roles (group memberships) and flags."""

    @admin.display(description=_("geändert"))
    def changed_fields(self, record):
        previous = record.prev_record
        if previous is None:
            return _("angelegt")
        parts = [audit.record_summary(record)] if audit.changes_between(previous, record) else []
        old, new = _group_names(previous), _group_names(record)
        if old != new:
            parts.append(f"{_('Rollen')}: {', '.join(old) or '–'} → {', '.join(new) or '–'}")
        return "; ".join(parts)


def _group_names(record) -> list[str]:
    """The roles a historical user held at that moment (simple-history's m2m snapshot)."""
    ids = record.groups.values_list("group_id", flat=True)
    return sorted(Group.objects.filter(pk__in=ids).values_list("name", flat=True))


admin.site.unregister(User)
admin.site.register(User, UserHistoryAdmin)
