"""``python -m borneliv``: the same as the ``borneliv`` command."""

from __future__ import annotations

import sys

from borneliv.cli import main

if __name__ == "__main__":
    sys.exit(main())
