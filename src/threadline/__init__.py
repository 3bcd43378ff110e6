"""Threadline: one shared, permissioned picture of a child and the adults around them."""
