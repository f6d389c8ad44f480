"""Text for people, one module per subject, made over plain data (read-model rows, or what
ledger.queries returns): the aggregates and the ledger return data, never formatted text.
Every table goes through the one table renderer (projections.tables); every line is a
message id rendered in the officer's language here, so commands only echo the lines."""
