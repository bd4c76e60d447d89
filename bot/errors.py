"""Errors with a message meant for the person who caused them."""


class UserError(Exception):
    """Bad input from a user: the message is shown to them and nothing is changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PackError(Exception):
    """A malformed campaign pack: names the file, the line or key, and what is wrong."""


class StartupError(Exception):
    """The bot cannot start: one line naming what is wrong and which setting to change."""


def describe_os_error(error: OSError) -> str:
    """An operating-system error in one line: what went wrong, and with which file."""
    what = error.strerror or type(error).__name__
    where = error.filename
    return f"{what}: {where}" if where else what


def describe_store_error(error: BaseException) -> str:
    """A database error met while running, in one line without the statement (which may
    hold a person's words)."""
    cause = getattr(error, "orig", None) or error
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]
    lowered = text.lower()
    if "full" in lowered or "no space" in lowered:
        return f"the store's disk is full ({text}); nothing more was saved. Free some space"
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return f"the store cannot be written ({text}); nothing was saved"
    return f"the store failed ({type(cause).__name__}: {text}); nothing more was saved"


STARTUP_SECONDS = 10.0  # how long start-up waits for a platform before giving up


def unreachable(error: BaseException) -> str:
    """Why a platform could not be reached, in a few words."""
    if isinstance(error, TimeoutError):
        return f"no answer within {STARTUP_SECONDS:g} s"
    text = str(error).strip()
    return text.splitlines()[0][:160] if text else type(error).__name__
