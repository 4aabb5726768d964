"""Loaded at start-up by the Python processes the tests start (conftest puts this folder on
their PYTHONPATH), after coverage's .pth hook has started measuring them.

Coverage follows every Python process whose environment asks for it (`patch =
["subprocess"]`). A `digest` process the tests start is measured; the helpers it starts in
turn (multiprocessing's forkserver and resource tracker, whose parser workers fork from the
forkserver and end without saving data) would only be slowed down: measured, they cost
`digest fetch` 0.4 s a run and the suite minutes. So the request is not passed on to them.
"""

import os

for _name in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
    os.environ.pop(_name, None)
