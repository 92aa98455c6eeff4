"""API routes covered by isolation probes. The REST API arrives with its own issue; each
route it adds must be listed here together with its probes in test_matrix.py."""

PROBED_ROUTES: list[str] = []
