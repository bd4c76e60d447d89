"""Platform adapters: Slack, Discord and the terminal wrap the same neutral commands.

Adapter modules import their platform SDK; nothing else in the bot does, and they are
imported only when their platform is switched on.
"""
