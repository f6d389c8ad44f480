"""Infrastructure: database configuration, encryption at rest, officer key files, transcodings, the clock."""
