"""The web load test (`make load`, `make load-school`): locust against the portal under gunicorn."""
