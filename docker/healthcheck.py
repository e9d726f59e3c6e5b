"""The image's HEALTHCHECK: exits 0 when this container's gunicorn answers
GET /health with 200 (the app is up and reaches MongoDB).

The request names a host the settings allow (the first of
DJANGO_ALLOWED_HOSTS), since Django answers 400 to any other Host header.
"""

import os
import sys
import urllib.error
import urllib.request


def allowed_host():
    hosts = [host.strip().lstrip(".") for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    return next((host for host in hosts if host and host != "*"), "localhost")


def main():
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/health", headers={"Host": allowed_host()})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"/health: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
