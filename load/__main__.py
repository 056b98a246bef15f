"""`python -m load [mix|morning]`: the web load test (load/run.py) or the school-round morning
(load/morning.py)."""

import sys

import locust  # noqa: F401  (first: it patches the standard library for gevent)

from load.run import main

sys.exit(main(sys.argv[1:]))
