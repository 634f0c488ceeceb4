"""The code service's database tables and queries."""
