"""Memoizing pure work between builds: the cache packs, model fingerprints, the cached parallel parser, the process pool."""
