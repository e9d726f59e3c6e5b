import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "speechai.settings")

application = get_asgi_application()

from speechai.production import refuse_insecure_settings  # noqa: E402

refuse_insecure_settings()
