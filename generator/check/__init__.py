"""Checks of built files in memory: links, fragments, titles, the sitemap, feeds."""
