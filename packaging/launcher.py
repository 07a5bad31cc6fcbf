"""Entry script of the PyInstaller bundle: the same as the ``gradviz`` command."""

from gradviz.cli import main

raise SystemExit(main())
