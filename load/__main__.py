"""`python -m load [mix]`: the web load test (see load/run.py)."""

import sys

import locust  # noqa: F401  (first: it patches the standard library for gevent)

from load.run import main

sys.exit(main(sys.argv[1:]))
