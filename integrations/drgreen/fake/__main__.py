"""``python -m integrations.drgreen.fake [--host 127.0.0.1] [--port 8765]``"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from .server import API_PREFIX, FakeHTTPServer


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.drgreen.fake",
        description="A local fake of the Dr. Green DApp API (test and demo use only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--no-kyc-link", action="store_true", help="do not return kycLink on registration")
    parser.add_argument("--webhook-url", default=os.environ.get("DRGREEN_FAKE_WEBHOOK_URL", ""))
    parser.add_argument(
        "--webhook-secret",
        default=os.environ.get("DRGREEN_FAKE_WEBHOOK_SECRET", ""),
        help="HMAC secret for relayed events (or DRGREEN_FAKE_WEBHOOK_SECRET)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the control endpoints are unauthenticated: bind to loopback only")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s fake-drgreen %(message)s")
    try:
        httpd = FakeHTTPServer((args.host, args.port), kyc_links=not args.no_kyc_link, quiet=args.quiet)
    except OSError as exc:
        print(f"fake Dr. Green: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if args.webhook_url:
        httpd.relay.configure(args.webhook_url, args.webhook_secret)
    signal.signal(signal.SIGTERM, _interrupt)  # `make run` stops it with SIGTERM
    print(
        f"fake Dr. Green API on {httpd.public_url}{API_PREFIX} "
        f"(controls at {httpd.public_url}/_control/, {len(httpd.state.catalog)} strains)",
        flush=True,
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.stopping.set()
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
