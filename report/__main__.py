"""`python -m report` runs the command-line interface."""

from .cli import main

main()
