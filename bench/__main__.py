"""``python -m bench [all|sync|fieldapp|lighthouse|load] [--backend sqlite|postgresql|all] [--quick] [--save-reports DIR]``"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import fieldapp, lighthouse, load, sync


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="Benchmarks: the sync engine (push and pull), the field app in Chromium"
                                                 " and Lighthouse scores of its screens.")
    parser.add_argument("which", nargs="?", choices=("all", "sync", "fieldapp", "lighthouse", "load"), default="all",
                        help="all (default): every one; sync: the sync engine; fieldapp: the field app in Chromium;"
                             " lighthouse: Lighthouse scores of three signed-in field app screens;"
                             " load: 300 volunteers syncing against gunicorn and PostgreSQL (locust; not part of all)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all",
                        help="sync engine only. all (default): SQLite, and PostgreSQL when BENCH_DATABASE_URL"
                             " or TEST_DATABASE_URL is set")
    parser.add_argument("--quick", action="store_true", help="median of 3 runs instead of 5 (Lighthouse: 1 run instead of 3)")
    parser.add_argument("--save-reports", type=Path, metavar="DIR",
                        help="lighthouse only: also write each screen's Lighthouse JSON report into DIR")
    load.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.which == "load":
        return load.run(args)

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
        if args.which in ("all", "lighthouse"):
            try:
                lighthouse.run(1 if args.quick else 3, args.save_reports)
            except fieldapp.Unavailable as err:
                if args.which == "lighthouse":
                    print(f"BENCHMARK NOT RUN: {err}", file=sys.stderr)
                    return 1
                print(f"Lighthouse skipped: {err}.")
    except sync.BenchFailed as err:
        print(f"\nBENCHMARK ABORTED: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
