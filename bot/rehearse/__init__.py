"""`mobilise rehearse`: a whole campaign from the pack, hour by hour, on a simulated
clock, acted out by a seeded crowd and checked by an independent oracle.

crowd.py (who types what, when), rules.py (the oracle's own reading of the pack),
oracle.py (what the bot should say and send), platforms.py (stand-in platforms that
record what was sent), process.py (bot processes: started, stopped, killed),
runner.py (the hours and the checks), planted.py (known bugs, to test the oracle),
experiments.py (an effect planted in the crowd; the experiments' report), report.py
(the timeline summary).
"""

from bot.rehearse.runner import Options, Result, rehearse

__all__ = ["Options", "Result", "rehearse"]
