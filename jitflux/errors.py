"""The one exception type the command line turns into a clean message and an exit status."""

# Exit statuses of the command line (see DESIGN.md).
EXIT_OK = 0
EXIT_PROGRAM_FAILED = 1
EXIT_BAD_INPUT = 2


class JitfluxError(Exception):
    """An expected failure: printed as one line on stderr, exits with `status`."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message
