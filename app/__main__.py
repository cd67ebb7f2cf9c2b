"""``python -m app`` runs the same CLI as ``coalition-cop``."""

import sys

from app.cli import main

sys.exit(main())
