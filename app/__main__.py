"""`python -m app` is the `calldeck` command."""

import sys

from app.cli import main

sys.exit(main())
