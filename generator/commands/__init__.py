"""One module per command: build, check, new, serve; the CLI in cli.py calls them."""
