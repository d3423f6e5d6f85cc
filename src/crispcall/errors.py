"""The errors a user can cause and fix. The command line shows each as one line (exit status
2); any other exception is a bug and keeps its traceback."""


class InputError(ValueError):
    """A bad input, option or output: a file that is missing, unreadable, of the wrong format
    or size, a value out of range, an output that cannot be written."""


class Unavailable(RuntimeError):
    """Something this run needs is not installed or set up here (an extra, Tesseract, fonts,
    Chromium, model weights)."""


class CheckFailed(RuntimeError):
    """A file crispcall made failed its own check (an export that disagrees with PyTorch, an
    INT8 graph too far from FP32): nothing was written."""


def first_line(error: BaseException) -> str:
    """The first sentence of an exception's message (its type's name when it has none): the
    reason a one-line refusal quotes."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0].split(". ")[0]
