"""gunicorn's access line (speechai/access_log.py) is the one gunicorn's own
logger writes, plain and JSON, from fewer atoms; another format gets all."""

import datetime
import logging

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from speechai.access_log import ACCESS_LOG_FORMAT, AccessLogger
from speechai.logging import JsonFormatter


class Response:
    status = "409 Conflict"
    sent = 87
    headers = [("Content-Type", "application/json"), ("X-Request-ID", "lb-4f2a9c"), ("Content-Length", "87")]


ENVIRON = {
    "REQUEST_METHOD": "PUT",
    "RAW_URI": '/api/v1/jobs/a"b/cancel?x=1',
    "PATH_INFO": '/api/v1/jobs/a"b/cancel',
    "QUERY_STRING": "x=1",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "10.0.0.7",
    "HTTP_USER_AGENT": "wrk",
    "HTTP_HOST": "api.example",
}
TOOK = datetime.timedelta(seconds=1, microseconds=234567)


def access_record(logger_class, access_log_format=ACCESS_LOG_FORMAT):
    config = Config()
    config.set("access_log_format", access_log_format)
    logger = logger_class(config)
    atoms = logger.atoms_wrapper_class(logger.atoms(Response(), [("Host", "api.example")], ENVIRON, TOOK))
    return logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, access_log_format, (atoms,), None)


def test_the_line_is_gunicorns_own():
    ours, gunicorns = access_record(AccessLogger), access_record(Logger)

    assert ours.getMessage() == gunicorns.getMessage()
    line = '10.0.0.7 "PUT /api/v1/jobs/a\\"b/cancel?x=1 HTTP/1.1" 409 87 1234ms request_id=lb-4f2a9c'
    assert ours.getMessage() == line


def test_the_json_line_is_gunicorns_own():
    ours, gunicorns = access_record(AccessLogger), access_record(Logger)
    ours.created = gunicorns.created

    assert JsonFormatter().format(ours) == JsonFormatter().format(gunicorns)
    assert '"duration_ms": 1234.6' in JsonFormatter().format(ours)


@pytest.mark.parametrize("line_format", ['%(u)s %({host}i)s %({http_host}e)s "%(f)s"', "%(p)s %(L)s"])
def test_another_format_gets_every_atom(line_format):
    ours, gunicorns = access_record(AccessLogger, line_format), access_record(Logger, line_format)

    assert ours.getMessage() == gunicorns.getMessage()
