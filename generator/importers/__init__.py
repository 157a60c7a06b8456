"""Importers: bring content from a Drupal 7 database or an RSS/Atom feed into a site's content folder."""
