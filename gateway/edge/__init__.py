"""What every HTTP request meets before a route: size limits, the real client address, the text
rule on the URL, and the security headers on every answer."""
