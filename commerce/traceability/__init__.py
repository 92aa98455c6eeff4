"""The traceability ledger: batches and their append-only, hash-chained event log.

``models`` holds the tables (imported by ``commerce.models`` so the app label stays
``commerce``), ``chain`` the only way to write events and to verify them.
"""
