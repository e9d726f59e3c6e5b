import logging
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "speechai.settings")

application = get_wsgi_application()

from speechai.production import refuse_insecure_settings  # noqa: E402

try:
    refuse_insecure_settings()
except ImproperlyConfigured:
    # gunicorn loads this module in its master (preload_app): say why in the
    # log format of every other line before the master exits.
    logging.getLogger("gunicorn.error").exception("Refusing to start")
    raise
