"""The environment of a production process started by a test (gunicorn,
manage.py, a fresh interpreter reading the settings)."""

import os
import re
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"


def documented_variables():
    """The names .env.example documents: `NAME=value`, or `# NAME=default`
    for an optional one."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def production_environment(**variables):
    """This process's environment less every project variable (a developer's
    shell may set some), plus `variables`: exactly what a test asks for."""
    inherited = {name: value for name, value in os.environ.items() if name not in documented_variables()}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "speechai.settings", **variables}


def new_secret_key():
    return secrets.token_urlsafe(50)
