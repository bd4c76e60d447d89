"""Reminders and broadcasts: rules from the campaign pack, planned and delivered on time."""
