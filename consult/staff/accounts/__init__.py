"""Staff accounts: log-in, passwords, second factor, sessions, invitations, administration."""
