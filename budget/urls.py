from django.urls import path

from . import closing_views, report_views, views

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
        "budgets/<int:budget_id>/expenses/<int:pk>/thumbnail/<str:size>/",
        views.expense_thumbnail,
        name="expense_thumbnail",
    ),
    path(
        "budgets/<int:budget_id>/pending-receipts/<uuid:token>/thumbnail/",
        views.pending_receipt_thumbnail,
        name="pending_receipt_thumbnail",
    ),
    path("budgets/<int:budget_id>/", report_views.budget_dashboard, name="budget_dashboard"),
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
]
