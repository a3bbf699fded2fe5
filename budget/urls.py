from django.urls import path

from . import (
    claim_views,
    closing_views,
    datev_views,
    order_views,
    payout_views,
    report_views,
    views,
    yearly_views,
)

app_name = "budget"

urlpatterns = [
    path("", views.home, name="home"),
    path("resolutions/<int:pk>/", views.resolution_detail, name="resolution"),
    path(
        "resolutions/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("budgets/<int:budget_id>/expenses/", views.expense_list, name="expense_list"),
    path("budgets/<int:budget_id>/expenses/new/", views.expense_new, name="expense_new"),
    path("budgets/<int:budget_id>/expenses/<int:pk>/", views.expense_detail, name="expense_detail"),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/reverse/",
        views.expense_reverse,
        name="expense_reverse",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/receipt/",
        views.expense_receipt,
        name="expense_receipt",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/receipt/attach/",
        views.expense_attach_receipt,
        name="expense_attach_receipt",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/thumbnail/<str:size>/",
        views.expense_thumbnail,
        name="expense_thumbnail",
    ),
    path(
        "budgets/<int:budget_id>/pending-receipts/<uuid:token>/thumbnail/",
        views.pending_receipt_thumbnail,
        name="pending_receipt_thumbnail",
    ),
    # Claims (budget.claim_views)
    path("claims/", claim_views.my_claims, name="my_claims"),
    path("budgets/<int:budget_id>/claims/", claim_views.budget_claims, name="claim_list"),
    path("budgets/<int:budget_id>/claims/new/", claim_views.claim_new, name="claim_new"),
    path("budgets/<int:budget_id>/claims/waived/", claim_views.waived_claims, name="claim_waived"),
    path("budgets/<int:budget_id>/claims/<int:pk>/", claim_views.claim_detail, name="claim_detail"),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/approve/",
        claim_views.claim_approve,
        name="claim_approve",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/reject/",
        claim_views.claim_reject,
        name="claim_reject",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/withdraw/",
        claim_views.claim_withdraw,
        name="claim_withdraw",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/waive/",
        claim_views.claim_waive,
        name="claim_waive",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/receipt/",
        claim_views.claim_receipt,
        name="claim_receipt",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/thumbnail/",
        claim_views.claim_thumbnail,
        name="claim_thumbnail",
    ),
    path(
        "budgets/<int:budget_id>/claims/pending/<uuid:token>/thumbnail/",
        claim_views.pending_thumbnail,
        name="claim_pending_thumbnail",
    ),
    # Orders (budget.order_views)
    path("budgets/<int:budget_id>/orders/", order_views.order_list, name="order_list"),
    path("budgets/<int:budget_id>/orders/new/", order_views.order_new, name="order_new"),
    path("budgets/<int:budget_id>/orders/<int:pk>/", order_views.order_detail, name="order_detail"),
    path(
        "budgets/<int:budget_id>/orders/<int:pk>/approve/",
        order_views.order_approve,
        name="order_approve",
    ),
    path(
        "budgets/<int:budget_id>/orders/<int:pk>/book/", order_views.order_book, name="order_book"
    ),
    path(
        "budgets/<int:budget_id>/orders/<int:pk>/cancel/",
        order_views.order_cancel,
        name="order_cancel",
    ),
    # Payouts (budget.payout_views)
    path(
        "budgets/<int:budget_id>/payouts/account/",
        payout_views.payout_account,
        name="payout_account",
    ),
    path("budgets/<int:budget_id>/payouts/", payout_views.payout_list, name="payout_list"),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/",
        payout_views.payout_detail,
        name="payout_detail",
    ),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/sepa.xml",
        payout_views.payout_sepa,
        name="payout_sepa",
    ),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/paid/",
        payout_views.payout_paid,
        name="payout_paid",
    ),
    path("budgets/<int:budget_id>/", report_views.budget_dashboard, name="budget_dashboard"),
    path("budgets/<int:budget_id>/history/", report_views.budget_history, name="budget_history"),
    path("budgets/<int:budget_id>/close/", closing_views.budget_close, name="budget_close"),
    path("budgets/<int:budget_id>/reopen/", closing_views.budget_reopen, name="budget_reopen"),
    path(
        "budgets/<int:budget_id>/summary.json", report_views.budget_summary, name="budget_summary"
    ),
    path(
        "budgets/<int:budget_id>/export.csv",
        report_views.budget_export_csv,
        name="budget_export_csv",
    ),
    path(
        "budgets/<int:budget_id>/export.xlsx",
        report_views.budget_export_xlsx,
        name="budget_export_xlsx",
    ),
    path(
        "budgets/<int:budget_id>/statement/",
        report_views.budget_statement,
        name="budget_statement",
    ),
    path(
        "budgets/<int:budget_id>/statement.pdf",
        report_views.budget_statement_pdf,
        name="budget_statement_pdf",
    ),
    path("budgets/<int:budget_id>/datev/", datev_views.budget_datev, name="budget_datev"),
    path(
        "budgets/<int:budget_id>/export-datev.csv",
        datev_views.budget_export_datev,
        name="budget_export_datev",
    ),
    path("reports/", yearly_views.yearly_report_current, name="yearly_report_current"),
    path("reports/<int:year>/", yearly_views.yearly_report, name="yearly_report"),
    path(
        "reports/<int:year>/beschluesse.csv",
        yearly_views.yearly_report_budgets_csv,
        name="yearly_report_budgets_csv",
    ),
    path(
        "reports/<int:year>/positionen.csv",
        yearly_views.yearly_report_positions_csv,
        name="yearly_report_positions_csv",
    ),
    path(
        "reports/<int:year>/jahresuebersicht.xlsx",
        yearly_views.yearly_report_xlsx,
        name="yearly_report_xlsx",
    ),
]
