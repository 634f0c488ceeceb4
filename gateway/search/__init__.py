"""The gateway's search index: derived data fed from every topic, rebuilt by replay (DESIGN.md)."""
