"""Errors the CLI turns into a one-line message and an exit code."""


class KgError(Exception):
    """Base class: a message for a person, and the process exit code."""

    exit_code = 2


class InputError(KgError):
    """Bad input: a file, a field or an argument. Exit 2."""

    exit_code = 2


class AnnotationError(InputError):
    """A problem in an annotation file, located by file and line."""

    def __init__(self, path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class CheckFailed(KgError):
    """Validation found problems. Exit 1."""

    exit_code = 1
