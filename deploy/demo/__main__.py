"""python -m deploy.demo: load the demo city into a running platform (idempotent)."""

import sys

from deploy.demo.loader import main

if __name__ == "__main__":
    sys.exit(main())
