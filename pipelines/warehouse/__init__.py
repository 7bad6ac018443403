"""The warehouse: the working database and its schema, and the published snapshots that the
app, exports and bulletins read."""
