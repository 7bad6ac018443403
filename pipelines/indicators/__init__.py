"""Indicators: reference files and regions, the one SQL definition of every indicator
(`sql/`), the marts built from it, the checks they pass before publishing, and targets."""
