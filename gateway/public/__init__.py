"""The public side of the gateway: what the code page shows and the form it offers."""
