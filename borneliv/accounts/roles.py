"""The roles a membership grants (below the models and the scope, which both read them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Programme administrator")
    PROJECT_LEADER = "project_leader", _("Municipal project leader")
    HEALTH_VISITOR = "health_visitor", _("Health visitor")
    PEDAGOGUE = "pedagogue", _("Pedagogue")
    TEACHER = "teacher", _("Teacher or school leader")
    CLUB_CONTACT = "club_contact", _("Club contact")
    RESEARCHER = "researcher", _("Researcher")
