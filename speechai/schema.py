from drf_spectacular.extensions import OpenApiAuthenticationExtension


def strip_optional_trailing_slashes(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: routes accept an optional trailing
    slash ("/?"); the documented paths have none, as in docs/api.md."""
    return [
        (path.rstrip("/") if path != "/" else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


class BearerOrTokenScheme(OpenApiAuthenticationExtension):
    """Documents the API token as an HTTP bearer scheme (Swagger's Authorize
    button then sends `Authorization: Bearer <key>`)."""

    target_class = "speechai.authentication.BearerOrTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API token from `python manage.py api_token <username>`; "
            "`Authorization: Token <key>` is accepted too.",
        }
