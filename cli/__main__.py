"""``python -m cli``: the sagsrute command."""

from cli.app import main

main()
