"""tf.app: run(main) with absl flag parsing, and tf.app.flags (absl.flags, as in TF1.13+)."""
import sys

from absl import flags as flags  # noqa: F401 - tf.app.flags


def run(main=None, argv=None):
    """Parses flags, then calls main(argv) and exits with its result (tf.app.run)."""
    args = sys.argv if argv is None else argv
    fl = flags.FLAGS
    try:
        remaining = fl(args, known_only=True)
    except flags.Error as e:
        sys.stderr.write("FATAL Flags parsing error: %s\n" % e)
        sys.exit(1)
    main = main or sys.modules["__main__"].main
    sys.exit(main(remaining))
