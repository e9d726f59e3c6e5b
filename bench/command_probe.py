"""Runs one management command with its database commands recorded (the
command's counterpart of the server's X-DB-Record):
python -m bench.command_probe <output.json> <command> [arguments...]"""

import sys
from pathlib import Path

import django
from bson import json_util


def main(output, *arguments):
    django.setup()
    from django.core.management import call_command

    from speechai.command_monitor import REQUEST_COMMANDS

    REQUEST_COMMANDS.start()
    call_command(*arguments)
    Path(output).write_text(json_util.dumps(REQUEST_COMMANDS.commands()))


if __name__ == "__main__":
    main(*sys.argv[1:])
