"""Parsing a site's sources: finding files, front matter, fields, text, Markdown, site.toml."""
