from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Routes that match with or without a trailing slash: never a redirect
    that would drop a request body."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
