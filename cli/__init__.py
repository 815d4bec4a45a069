"""The typer commands of ``sagsrute``."""
