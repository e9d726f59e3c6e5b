import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "speechai.settings")

application = get_wsgi_application()

from speechai.production import refuse_insecure_settings  # noqa: E402

refuse_insecure_settings()
