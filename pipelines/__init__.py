"""Pipelines: read, normalise, validate, protect, load, publish and the indicator marts."""
