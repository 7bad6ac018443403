"""Operations: file locks, runs started from the app, the nightly scheduler, and the app's own
store of users, sessions and the audit log."""
