"""Entry point of the PyInstaller bundle: the same CLI as ``coalition-cop``."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
