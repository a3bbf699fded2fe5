from django.urls import path

from budget.views import (
    claims,
    closing,
    datev,
    expenses,
    orders,
    payouts,
    reports,
    resolutions,
    yearly,
)

app_name = "budget"

urlpatterns = [
    path("", expenses.home, name="home"),
    path("resolutions/<int:pk>/", resolutions.resolution_detail, name="resolution"),
    path(
        "resolutions/<int:pk>/attachments/<int:attachment_id>/",
        resolutions.attachment_download,
        name="attachment",
    ),
    path("budgets/<int:budget_id>/expenses/", expenses.expense_list, name="expense_list"),
    path("budgets/<int:budget_id>/expenses/new/", expenses.expense_new, name="expense_new"),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/", expenses.expense_detail, name="expense_detail"
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/reverse/",
        expenses.expense_reverse,
        name="expense_reverse",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/receipt/",
        expenses.expense_receipt,
        name="expense_receipt",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/receipt/attach/",
        expenses.expense_attach_receipt,
        name="expense_attach_receipt",
    ),
    path(
        "budgets/<int:budget_id>/expenses/<int:pk>/thumbnail/<str:size>/",
        expenses.expense_thumbnail,
        name="expense_thumbnail",
    ),
    path(
        "budgets/<int:budget_id>/pending-receipts/<uuid:token>/thumbnail/",
        expenses.pending_receipt_thumbnail,
        name="pending_receipt_thumbnail",
    ),
    # Claims (budget.views.claims)
    path("claims/", claims.my_claims, name="my_claims"),
    path("budgets/<int:budget_id>/claims/", claims.budget_claims, name="claim_list"),
    path("budgets/<int:budget_id>/claims/new/", claims.claim_new, name="claim_new"),
    path("budgets/<int:budget_id>/claims/waived/", claims.waived_claims, name="claim_waived"),
    path("budgets/<int:budget_id>/claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/approve/",
        claims.claim_approve,
        name="claim_approve",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/reject/",
        claims.claim_reject,
        name="claim_reject",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/withdraw/",
        claims.claim_withdraw,
        name="claim_withdraw",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/waive/",
        claims.claim_waive,
        name="claim_waive",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/receipt/",
        claims.claim_receipt,
        name="claim_receipt",
    ),
    path(
        "budgets/<int:budget_id>/claims/<int:pk>/thumbnail/",
        claims.claim_thumbnail,
        name="claim_thumbnail",
    ),
    path(
        "budgets/<int:budget_id>/claims/pending/<uuid:token>/thumbnail/",
        claims.pending_thumbnail,
        name="claim_pending_thumbnail",
    ),
    # Orders (budget.views.orders)
    path("budgets/<int:budget_id>/orders/", orders.order_list, name="order_list"),
    path("budgets/<int:budget_id>/orders/new/", orders.order_new, name="order_new"),
    path("budgets/<int:budget_id>/orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path(
        "budgets/<int:budget_id>/orders/<int:pk>/approve/",
        orders.order_approve,
        name="order_approve",
    ),
    path("budgets/<int:budget_id>/orders/<int:pk>/book/", orders.order_book, name="order_book"),
    path(
        "budgets/<int:budget_id>/orders/<int:pk>/cancel/",
        orders.order_cancel,
        name="order_cancel",
    ),
    # Payouts (budget.views.payouts)
    path(
        "budgets/<int:budget_id>/payouts/account/",
        payouts.payout_account,
        name="payout_account",
    ),
    path("budgets/<int:budget_id>/payouts/", payouts.payout_list, name="payout_list"),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/",
        payouts.payout_detail,
        name="payout_detail",
    ),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/sepa.xml",
        payouts.payout_sepa,
        name="payout_sepa",
    ),
    path(
        "budgets/<int:budget_id>/payouts/<int:batch>/paid/",
        payouts.payout_paid,
        name="payout_paid",
    ),
    path("budgets/<int:budget_id>/", reports.budget_dashboard, name="budget_dashboard"),
    path("budgets/<int:budget_id>/history/", reports.budget_history, name="budget_history"),
    path("budgets/<int:budget_id>/close/", closing.budget_close, name="budget_close"),
    path("budgets/<int:budget_id>/reopen/", closing.budget_reopen, name="budget_reopen"),
    path("budgets/<int:budget_id>/summary.json", reports.budget_summary, name="budget_summary"),
    path(
        "budgets/<int:budget_id>/export.csv",
        reports.budget_export_csv,
        name="budget_export_csv",
    ),
    path(
        "budgets/<int:budget_id>/export.xlsx",
        reports.budget_export_xlsx,
        name="budget_export_xlsx",
    ),
    path(
        "budgets/<int:budget_id>/statement/",
        reports.budget_statement,
        name="budget_statement",
    ),
    path(
        "budgets/<int:budget_id>/statement.pdf",
        reports.budget_statement_pdf,
        name="budget_statement_pdf",
    ),
    path("budgets/<int:budget_id>/datev/", datev.budget_datev, name="budget_datev"),
    path(
        "budgets/<int:budget_id>/export-datev.csv",
        datev.budget_export_datev,
        name="budget_export_datev",
    ),
    path("reports/", yearly.yearly_report_current, name="yearly_report_current"),
    path("reports/<int:year>/", yearly.yearly_report, name="yearly_report"),
    path(
        "reports/<int:year>/beschluesse.csv",
        yearly.yearly_report_budgets_csv,
        name="yearly_report_budgets_csv",
    ),
    path(
        "reports/<int:year>/positionen.csv",
        yearly.yearly_report_positions_csv,
        name="yearly_report_positions_csv",
    ),
    path(
        "reports/<int:year>/jahresuebersicht.xlsx",
        yearly.yearly_report_xlsx,
        name="yearly_report_xlsx",
    ),
]
