"""Deployment tooling: local infrastructure scripts, readiness checks, the demo city."""
