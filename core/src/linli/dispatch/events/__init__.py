"""Events: the outbox, delivered to modules and to outside subscribers as signed webhooks."""
