"""Webhooks the Standard Webhooks way: endpoints, an outbox written with each change, and a worker that delivers.

- `outbox.emit()` runs inside the transaction of a change: the event and one
  delivery per subscribed endpoint are committed with the change or not at all.
- `worker` (`flask --app service webhooks work`) claims due deliveries, signs
  and sends them, and retries with backoff; several workers can run at once.
- `targets` decides where a delivery may go (https, public addresses), after
  DNS resolution and on every attempt.
"""

EVENT_TYPES = ("recommendation.created", "recommendation.deleted", "weight_profile.version_created")
TEST_EVENT = "webhook.test"  # sent only on request, to one endpoint; never subscribed to
