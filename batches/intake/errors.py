from dataclasses import dataclass

from django.conf import settings


class IntakeError(Exception):
    """A file or request the intake refuses, with the HTTP status that says why
    (400 bad file, 404 unknown account or batch, 409 state, 413 too big,
    503 database) and extra keys for the response body."""

    def __init__(self, message, status=400, **extra):
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


@dataclass(frozen=True)
class Limits:
    """What one import may hold. Web requests use the settings; the command
    lifts the size, row and job limits (files too big for a request) but
    keeps the zip-bomb and cell guards."""

    max_file_bytes: int | None
    max_rows: int | None
    max_jobs: int | None
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_columns: int = 500
    max_cells: int = 20_000_000
    max_cell_chars: int = 10_000
    header_search_rows: int = 50

    @classmethod
    def for_requests(cls):
        return cls(
            max_file_bytes=settings.INTAKE_MAX_FILE_BYTES,
            max_rows=settings.INTAKE_MAX_ROWS,
            max_jobs=settings.INTAKE_MAX_JOBS,
            max_uncompressed_bytes=settings.INTAKE_MAX_UNCOMPRESSED_BYTES,
        )

    @classmethod
    def for_command(cls):
        return cls(
            max_file_bytes=None,
            max_rows=None,
            max_jobs=None,
            max_uncompressed_bytes=max(settings.INTAKE_MAX_UNCOMPRESSED_BYTES, 2 * 1024**3),
            max_cells=200_000_000,
        )
