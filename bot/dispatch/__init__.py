"""Running a command for an adapter: reading the typed line, converting options, the
steps before a handler, the questions awaiting an answer, and the dispatcher itself."""
