#!/usr/bin/env python
"""The hochreiter97 replication's command line: `python run.py --help` lists the commands
(hochreiter97/cli.py; installed, the same as the console script `hochreiter97`)."""
import sys

from hochreiter97.cli import main

if __name__ == "__main__":
    sys.exit(main())
