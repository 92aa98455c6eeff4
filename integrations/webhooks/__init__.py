"""Webhooks: outbound deliveries to tenants' endpoints and inbound events from Dr. Green.

Outbound (CONTRACT.md, "Outbound webhooks"): :func:`integrations.events.emit_event`
creates one :class:`~integrations.webhooks.models.WebhookDelivery` per matching active
endpoint and, once the transaction commits, a Celery task POSTs it signed
(``dispatch``, ``delivery``, ``tasks``). Tenant admins manage endpoints in the admin
(``admin``) or through ``services`` (the REST API calls the same functions).

Inbound (``inbound``, ``views``): Dr. Green relays signed status changes to
``POST /api/v1/integrations/drgreen/webhook``; features register handlers per event type.
"""
