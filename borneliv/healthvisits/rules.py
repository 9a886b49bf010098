"""Permissions for health visiting."""

from __future__ import annotations

import rules

from borneliv.accounts.rules import is_admin, is_health_visitor, is_project_leader, is_researcher
from borneliv.children.rules import child_in_scope

rules.add_perm("healthvisits.view_worklist", is_health_visitor)
rules.add_perm("healthvisits.add_contact", is_health_visitor & child_in_scope)
rules.add_perm("healthvisits.change_contact", is_health_visitor & child_in_scope)
rules.add_perm("healthvisits.add_stageskip", is_health_visitor & child_in_scope)
rules.add_perm(
    "healthvisits.view_coverage", is_admin | is_project_leader | is_health_visitor | is_researcher
)
for model in ("stage", "stageoverride", "topic"):
    rules.add_perm(f"healthvisits.view_{model}", is_admin | is_health_visitor)
    rules.add_perm(f"healthvisits.add_{model}", is_admin)
    rules.add_perm(f"healthvisits.change_{model}", is_admin)
    rules.add_perm(f"healthvisits.delete_{model}", is_admin)
