"""Keeping old addresses: the old addresses of a site, server rules for them, and the cut-over check."""
