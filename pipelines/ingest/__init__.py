"""Ingest: one inbox file at a time, read → normalise → validate → protect → load, with its
rejected rows (quarantine), its run report, uploads from the web and the district templates."""
