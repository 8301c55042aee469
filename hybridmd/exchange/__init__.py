"""Node-to-node delivery (outbox, retries, idempotency) and EMR/PACS connectors."""
