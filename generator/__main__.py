"""`python -m generator` runs the topicsite command."""

from .cli import main

main()
