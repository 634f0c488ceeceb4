"""The code service: one signed QR code per enterprise (一码), its public status and scan log."""
