"""`python -m kvmlab.app`: the same as `kvmlab app`."""

import sys

from .cli import main

sys.exit(main())
