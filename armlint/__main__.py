import sys

from armlint.cli import main

sys.exit(main())
