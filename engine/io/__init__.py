"""Input and output: case files and their sources, CSV exports, the generator and the database."""
