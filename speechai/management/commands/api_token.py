from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print a user's API token, creating the token if needed. Send it as `Authorization: Bearer <token>`."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="Create the user (without a password: API only) if it does not exist.",
        )
        parser.add_argument("--reset", action="store_true", help="Replace the user's token with a new one.")

    def handle(self, username, create_user, reset, **options):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is None:
            if not create_user:
                raise CommandError(f"No user '{username}'. Create it in the admin, or pass --create-user.")
            user = users.create_user(username)
            self.stderr.write(f"Created user '{username}' (no password, no permissions: grant them in the admin).")
        if reset:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            self.stderr.write(f"New token for '{username}'.")
        self.stdout.write(token.key)
