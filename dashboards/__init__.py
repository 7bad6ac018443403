"""The Dash user interface."""
