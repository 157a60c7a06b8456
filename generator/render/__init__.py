"""The render stage: templates, pages, feeds, the search index, and the one planner."""
