"""The running bot's parts that every command is given: settings, logs, the clock, the
neutral messages, the outbox, the lease on reminders, retention and the `Services` bundle."""
