"""Self-tests of tests/fakes against the real clients."""
