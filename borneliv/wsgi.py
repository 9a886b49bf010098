"""WSGI entry point for production servers (gunicorn, uwsgi, mod_wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from borneliv.lib.runtime import require_site_url, warm_up_and_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borneliv.settings")
application = get_wsgi_application()
require_site_url()  # with DEBUG off, no start without BORNELIV_SITE_URL (lib/runtime.py)
warm_up_and_freeze()  # start-up objects out of the garbage collector's way (lib/runtime.py)
