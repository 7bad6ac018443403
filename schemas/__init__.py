"""Data contract: one pandera (polars) model per dataset, with header aliases and messages."""
