"""`python -m tensorweave run SCRIPT`: see tensorweave.compat.runner."""
import sys

from tensorweave.compat.runner import main

if __name__ == "__main__":
    sys.exit(main())
