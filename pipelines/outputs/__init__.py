"""Outputs: what leaves the marts for people — exports and table files, notifications, and the
progress bulletins."""
