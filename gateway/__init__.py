"""The gateway: unified REST API, search, map, operators' console and the public code pages."""
