"""mobilise: a campaign bot for trade-union elections, on Slack, Discord and the terminal.

The `bot` package is the platform-neutral core: settings, the campaign pack, the store,
the answer engine, the command dispatcher and the composition root that wires them.
"""

__version__ = "0.1.0"
