"""Django's development server (with static files), refusing to expose the
open development mode: with API_AUTH_DISABLED it listens on loopback only.
(The `speechai` app is listed before `django.contrib.staticfiles` so that
this command wins.)"""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserverCommand
from django.core.management.base import CommandError

from speechai.production import exposed_open_mode_problem


class Command(StaticFilesRunserverCommand):
    def run(self, **options):
        problem = exposed_open_mode_problem(settings.API_AUTH_DISABLED, [self.addr])
        if problem:
            raise CommandError(problem)
        super().run(**options)
