"""Qt user interface: widgets, item models, workers.  No SQL, no business rules."""
