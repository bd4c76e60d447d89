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
