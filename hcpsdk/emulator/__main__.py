"""``python -m hcpsdk.emulator``: run a standalone HCP emulator (see :mod:`.cli`)."""
import sys

from .cli import main

sys.exit(main())
