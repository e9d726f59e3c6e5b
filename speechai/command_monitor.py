"""Opt-in monitoring of the database commands each request sends, for the
benchmarks in bench/: set DB_COMMAND_MONITOR_DIR and every response carries
`X-DB-Commands: <count>`; a request sent with `X-DB-Record: 1` also leaves
its commands (extended JSON) in `<dir>/<request id>.json`. Unset (the
default, production), none of this is installed."""

import threading
from pathlib import Path

from bson import json_util
from pymongo import monitoring

COUNT_HEADER = "X-DB-Commands"
RECORD_HEADER = "X-DB-Record"
# Connection upkeep, not work a request asked for.
HANDSHAKE_COMMANDS = {"hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo", "saslStart", "saslContinue"}
# Session bookkeeping pymongo adds to every command.
DRIVER_FIELDS = {"lsid", "$db", "$clusterTime", "txnNumber", "$readPreference"}


class RequestCommands(monitoring.CommandListener):
    """The commands sent by the current thread since `start()`."""

    def __init__(self):
        self._local = threading.local()

    def start(self):
        self._local.commands = []

    def commands(self):
        return getattr(self._local, "commands", [])

    def started(self, event):
        commands = getattr(self._local, "commands", None)
        if commands is not None and event.command_name not in HANDSHAKE_COMMANDS:
            commands.append({k: v for k, v in event.command.items() if k not in DRIVER_FIELDS})

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


REQUEST_COMMANDS = RequestCommands()


def command_monitor_middleware(get_response):
    from django.conf import settings

    record_dir = Path(settings.DB_COMMAND_MONITOR_DIR)

    def middleware(request):
        REQUEST_COMMANDS.start()
        response = get_response(request)
        commands = REQUEST_COMMANDS.commands()
        response[COUNT_HEADER] = str(len(commands))
        if request.headers.get(RECORD_HEADER) and getattr(request, "request_id", None):
            (record_dir / f"{request.request_id}.json").write_text(json_util.dumps(commands))
        return response

    return middleware
