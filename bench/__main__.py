"""``python -m bench [all|sync|fieldapp] [--backend sqlite|postgresql|all] [--quick]``"""
from __future__ import annotations

import argparse
import sys

from bench import fieldapp, sync


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="Benchmarks: the sync engine (push and pull) and the field app in Chromium.")
    parser.add_argument("which", nargs="?", choices=("all", "sync", "fieldapp"), default="all",
                        help="all (default): both; sync: the sync engine; fieldapp: the field app in Chromium")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all",
                        help="sync engine only. all (default): SQLite, and PostgreSQL when BENCH_DATABASE_URL"
                             " or TEST_DATABASE_URL is set")
    parser.add_argument("--quick", action="store_true", help="median of 3 runs instead of 5")
    args = parser.parse_args(argv)

    pg_url = sync.postgres_url()
    backends = []
    if args.which in ("all", "sync"):
        backends = ["sqlite"] if args.backend in ("sqlite", "all") else []
        if args.backend in ("postgresql", "all"):
            if pg_url:
                backends.append("postgresql")
            elif args.backend == "postgresql":
                parser.error("set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL database that may be wiped")
            else:
                print("PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it.\n")
    repeats = 3 if args.quick else 5
    try:
        for backend in backends:
            sync.run(backend, pg_url, repeats)
        if args.which in ("all", "fieldapp"):
            try:
                fieldapp.run(repeats)
            except fieldapp.Unavailable as err:
                if args.which == "fieldapp":
                    print(f"BENCHMARK NOT RUN: {err}", file=sys.stderr)
                    return 1
                print(f"Field app skipped: {err}.")
    except sync.BenchFailed as err:
        print(f"\nBENCHMARK ABORTED: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
