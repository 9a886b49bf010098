"""Danish for the admin pages of packages that ship none: django-axes and django-simple-history.

Neither package has a Danish catalogue, so an administrator's login-lockout pages ("Access
attempts", "Attempt Time", "Locked Out") and every record's history page ("Change reason",
"Revert …") were English in the Danish admin. Their messages are listed here with
``gettext_noop``, so ``makemessages`` puts them in the project's catalogue, which Django searches
before the packages' own (``LOCALE_PATHS``): the packages' ``gettext`` calls then find Danish.
The list follows the installed versions' messages; a message they add later shows in English
until it is listed here (``accounts/tests/test_words.py`` checks the pages in Danish).

``LockoutsConfig`` names django-axes in the admin's list of applications ("Axes" otherwise);
``settings.INSTALLED_APPS`` installs axes through it.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class LockoutsConfig(AxesAppConfig):
    """django-axes, under a name an administrator understands."""

    verbose_name = _("Login lockouts")


AXES_MESSAGES = (
    # axes/models.py
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # axes/admin.py: the status column reads "<n> " + "Attempt Remaining"
    gettext_noop("Locked Out"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # axes/conf.py (the lockout message of a JSON or plain answer)
    gettext_noop("Account locked: too many login attempts. Please try again later."),
)

SIMPLE_HISTORY_MESSAGES = (
    # simple_history/admin.py
    gettext_noop("Change history: %s"),
    gettext_noop("View history: %s"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    # simple_history/models.py (history types)
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Deleted %(type_name)s"),
    # simple_history/templates/simple_history/*.html
    gettext_noop("Home"),
    gettext_noop("History"),
    gettext_noop("None"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Close"),
    gettext_noop("Comment"),
    gettext_noop("Date/time"),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("View %(verbose_name)s"),
)
