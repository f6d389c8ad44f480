"""Command handlers: each turns one command into domain calls on aggregates."""
