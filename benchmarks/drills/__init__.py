"""Failure drills (issue 13): each script starts its own PostgreSQL and Redis (never the machine's),
runs participants against Consult under gunicorn, breaks something, and prints what was kept."""
