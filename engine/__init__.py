"""The engine: rule compilation and evaluation. Its hot modules may be compiled (engine/native.py);
the guard below decides, before any of them is imported, whether the compiled ones may run."""

from engine.native import guard

guard()
