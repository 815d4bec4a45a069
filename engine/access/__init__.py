"""Access control and the access log (issue 17): users, passwords, sessions, API tokens, login
throttling, the trusted-header mode, settings and the append-only log of who saw which case."""
