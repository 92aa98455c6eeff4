"""API routes covered by isolation probes. The REST API arrives with its own issue; each
route it adds must be listed here together with its probes in test_matrix.py."""

PROBED_ROUTES: list[str] = [
    # Platform-level, signed by Dr. Green; probed in tests/integrations/test_inbound_webhook.py
    # (an event for tenant B's key changes nothing of tenant A's, a forged one nothing at all).
    "api/v1/integrations/drgreen/webhook",
]
