"""What people see, built from the store: the Home view, the live board, charts, exports,
breakdowns, the pipeline of nominations and the reconciliation with the union's report."""
