"""What every feature builds on: settings, paths, extensions, database set-up, errors, security
headers, rate limits, templating helpers and time."""
