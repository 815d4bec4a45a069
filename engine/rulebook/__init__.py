"""The rule set as data: loading and validating rule files, overrides, citations and coverage."""
