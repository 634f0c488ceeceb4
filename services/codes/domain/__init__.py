"""Pure rules of the code service: tokens, code versions, the public read model, rendering."""
