"""Common runtime of every service: settings, database, events (outbox, consumer), gRPC bootstrap."""
