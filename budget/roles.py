"""The roles and what they may do. Used by ``seed_telefonaktion`` (which repairs a role whose
permissions were changed by hand) and by the test factories. Migrations carry their own copy of
the lists (0002 for treasurer and director, 0011 for the auditor).

The auditor (Rechnungsprüfer*in, Finanzrevision) sees everything the director sees and changes
nothing: the director's permissions to look, none that adds, changes, closes or deletes."""

VIEW = [
    "view_resolution",
    "view_resolutionattachment",
    "view_budget",
    "view_category",
    "view_expense",
    "view_reversal",
    "view_datevsettings",
    "view_historicaldatevsettings",
]
# Claims, orders and payouts (budget.models); the same lists are in migration 0007.
CLAIMS_VIEW = [
    "view_claim",
    "view_claimevent",
    "view_order",
    "view_orderevent",
    "view_payoutbatch",
    "view_payoutaccount",
]
ROLES = {
    "treasurer": [
        *VIEW,
        "add_expense",
        "add_reversal",
        "export_budget",
        *CLAIMS_VIEW,
        "add_claim",
        "approve_claim",
        "add_order",
        "approve_order",
        "add_payoutbatch",
        "change_payoutaccount",
    ],
    "director": [
        *VIEW,
        "export_budget",
        "close_budget",
        *CLAIMS_VIEW,
        "add_claim",
        "approve_claim",
        "approve_order",
    ],
    # Sees what the director sees, changes nothing.
    "auditor": [*VIEW, "export_budget", *CLAIMS_VIEW],
    # Volunteers and MPs' staff: submit claims, see only their own.
    "helper": ["add_claim"],
}


def sync_roles(group_model, permission_model) -> None:
    """Create the groups if missing and give them their permissions (idempotent)."""
    for name, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="budget", codename__in=codenames
            )
        )
