"""Permissions for growth: measurements, school-start imports, the review queue, prevalence."""

from __future__ import annotations

import rules

from borneliv.accounts.rules import is_admin, is_health_visitor, is_project_leader, is_researcher
from borneliv.children.rules import child_in_scope

# A child's measurements and growth chart: the health visitors whose registry holds the child.
rules.add_perm("growth.view_measurement", is_admin | (is_health_visitor & child_in_scope))
rules.add_perm("growth.add_measurement", is_health_visitor & child_in_scope)
# School-start imports and the review queue of held measurements.
rules.add_perm("growth.import_school_start", is_admin | is_health_visitor)
rules.add_perm("growth.review_measurement", is_admin | is_health_visitor)
# Suppressed aggregates (no child-level data).
rules.add_perm(
    "growth.view_prevalence", is_admin | is_project_leader | is_researcher | is_health_visitor
)

# Reclassifying every stored measurement (after a change of the IOTF setting or the engine).
rules.add_perm("growth.recompute_measurements", is_admin)
