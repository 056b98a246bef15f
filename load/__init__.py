"""The web load test (`make load`): locust against the portal under gunicorn."""
