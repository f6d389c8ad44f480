"""Infrastructure: database configuration, encryption at rest, officer key files, safe file reads and writes, transcodings, the clock."""
