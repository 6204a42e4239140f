"""``python -m harassment_pack`` runs the same command line as ``harassment-pack``."""

from .cli import main

raise SystemExit(main())
