"""The domain: case timelines (input), actions (output) and the rule-file schema, as pydantic models."""
