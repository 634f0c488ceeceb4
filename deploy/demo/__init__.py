"""The demo city, Cixi (慈溪), Ningbo: enterprises, stations and a day of readings for `make run`."""
