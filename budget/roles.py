"""The two roles and what they may do. Used by migration 0002 (with historical models) and by
``seed_telefonaktion`` (which repairs a role whose permissions were changed by hand)."""

VIEW = [
    "view_resolution",
    "view_resolutionattachment",
    "view_budget",
    "view_category",
    "view_expense",
    "view_reversal",
]
ROLES = {
    "treasurer": [*VIEW, "add_expense", "add_reversal", "export_budget"],
    "director": [*VIEW, "export_budget", "close_budget"],
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
