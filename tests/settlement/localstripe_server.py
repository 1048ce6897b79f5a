"""Run localstripe (a fake Stripe server, PyPI) on 127.0.0.1 only, keeping nothing on disk.

python localstripe_server.py PORT
"""

import sys

from aiohttp import web
from localstripe import resources
from localstripe.server import app

resources.Store.dump_to_disk = lambda self: None  # its default pickles to /tmp on every write

web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
