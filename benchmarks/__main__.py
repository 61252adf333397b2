"""`python -m benchmarks`: run every benchmark, print the table, write benchmarks/results/latest.json."""

import sys

from .harness import main

sys.exit(main())
