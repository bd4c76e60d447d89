"""The campaign: its pack (timetable, branches, ballot, reminder rules), the domain
records, dates and phases. Imports nothing from the layers above (see tests/test_layers.py)."""
