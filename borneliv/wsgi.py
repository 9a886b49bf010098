"""WSGI entry point for production servers (gunicorn, uwsgi, mod_wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from borneliv.lib.runtime import warm_up_and_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borneliv.settings")
application = get_wsgi_application()
warm_up_and_freeze()  # start-up objects out of the garbage collector's way (lib/runtime.py)
