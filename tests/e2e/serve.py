"""Run the app on a real HTTP server for browser tests (a separate process,
so a test can stop it mid-request and start it again).

    python -m tests.e2e.serve DATABASE_URL PORT INSTANCE_PATH [STATIC_DIR]
"""
import sys

from werkzeug.serving import run_simple

from app import create_app


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    config = {"APP_ENV": "testing", "DATABASE_URL": database_url,
              "SECRET_KEY": "e2e-secret-key-long-enough-0123456789abcdef", "INSTANCE_PATH": sys.argv[3]}
    if len(sys.argv) > 4:
        config["STATIC_DIR"] = sys.argv[4]
    app = create_app(config)
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
