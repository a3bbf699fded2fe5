"""A resolution's page: the decision, its vote and Zusatz, its budgets, its attached documents."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from budget import access
from budget.views.files import private_file


@login_required
@require_safe
def resolution_detail(request, pk):
    resolution = access.get_resolution_for(request.user, pk)
    return render(
        request,
        "budget/resolution_detail.html",
        {
            "resolution": resolution,
            "budgets": resolution.budgets.all(),
            "attachments": resolution.attachments.all(),
        },
    )


@login_required
@require_safe
def attachment_download(request, pk, attachment_id):
    attachment = access.get_attachment_for(request.user, pk, attachment_id)
    return private_file(
        attachment.file, attachment.original_name, "application/octet-stream", as_attachment=True
    )
