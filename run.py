#!/usr/bin/env python
"""Command line for the hochreiter97 replication. Thin: the work lives in hochreiter97/ and tasks/.

    python run.py verify      check the learning rule against independent implementations
"""
import argparse
import sys


def cmd_verify(args) -> int:
    from hochreiter97 import verify
    print("Verifying the truncated learning rule (float64; relative to the largest entry of each weight array)")
    return 0 if verify.run_all() else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("verify", help="check the learning rule (BPTT, finite differences, properties, kernel)")
    args = parser.parse_args(argv)
    if args.command is None:            # the main job
        args.command = "verify"
    return {"verify": cmd_verify}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
