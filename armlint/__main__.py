import sys

from armlint.cli import console_main

sys.exit(console_main())
