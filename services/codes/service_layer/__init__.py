"""Use cases of the code service: one transaction each, events written to the outbox inside it."""
