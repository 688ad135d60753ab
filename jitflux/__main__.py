"""`python -m jitflux`."""

import sys

from jitflux.cli import main

sys.exit(main())
