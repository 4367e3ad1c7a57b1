#!/usr/bin/env python3
"""Demo service for config/example.yaml: prints a line every few seconds until stopped.

WORKER_NAME and WORKER_INTERVAL (seconds) come from the service's `env`.
"""
import os
import signal
import sys
import time


def main() -> int:
    name = os.environ.get("WORKER_NAME", "worker")
    interval = float(os.environ.get("WORKER_INTERVAL", "3"))

    def stop(signum, _frame):
        print(f"{name}: got {signal.Signals(signum).name}, stopping", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tick = 0
    while True:
        tick += 1
        print(f"{name} (pid {os.getpid()}): tick {tick}", flush=True)
        if tick % 10 == 0:
            print(f"{name}: a line on stderr, merged into the same log", file=sys.stderr,
                  flush=True)
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
