"""Monitoring's pure rules: standards, hysteresis, data quality, the electricity rule. No I/O."""
