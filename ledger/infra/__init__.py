"""Infrastructure: configuration, cipher, keys, files, clock."""
