"""topicsite: a static site generator for public topic listing sites."""

__version__ = "0.1.0"
