"""The organisers' web dashboard (`bot.dashboard.app`) and its server (`bot.dashboard.server`)."""
