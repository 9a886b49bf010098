"""Who may do what with child records. Reads are also filtered by ``Child.objects.visible_to``."""

from __future__ import annotations

from typing import Any

import rules

from borneliv.accounts.rules import is_admin, is_health_visitor


@rules.predicate
def child_in_scope(user: Any, child: Any) -> bool:
    """The child is visible to the user (``None``: the user may work with some children)."""
    if child is None:
        return True
    from borneliv.children.models import Child

    return Child.objects.visible_to(user).filter(pk=child.pk).exists()


works_with_children = is_admin | is_health_visitor

rules.add_perm("children.view_child", works_with_children & child_in_scope)
rules.add_perm("children.add_child", works_with_children)
rules.add_perm("children.change_child", works_with_children & child_in_scope)
rules.add_perm("children.change_family", works_with_children)
rules.add_perm("children.set_vulnerability", is_health_visitor | is_admin)
rules.add_perm("children.import_children", works_with_children)
rules.add_perm("children.view_accesslog", is_admin)
# Registrations sent to an administrator (children.referrals): the sender follows hers (the
# queryset's visible_to), an administrator decides.
rules.add_perm("children.view_referral", works_with_children)
rules.add_perm("children.decide_referral", is_admin)
