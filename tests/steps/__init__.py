"""Step definitions of the Chinese features in features/ (imported by tests/test_features.py)."""
