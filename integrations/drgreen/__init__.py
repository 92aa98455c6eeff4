"""Dr. Green, the licensed supplier (DRGREEN_API.md; README, "Dr. Green").

- ``signing``: secp256k1 request signatures and the payload-string rules.
- ``client``: ``DrGreenClient``, typed, with timeouts, retries and a circuit breaker.
- ``credentials``: ``client_for_tenant()`` and per-tenant key pairs (encrypted at rest).
- ``errors``, ``types``: what calls raise and return.
- ``fake``: a local fake server speaking the contract (stdlib + cryptography only, so
  nothing here is imported eagerly).
"""
