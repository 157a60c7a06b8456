"""The load stage: a frozen model of the whole site, its addresses, and the digests of what it is made from."""
