"""``python -m wordvec.cli``: the same as the ``wordvec`` command."""

import sys

from wordvec.cli import main

sys.exit(main())
