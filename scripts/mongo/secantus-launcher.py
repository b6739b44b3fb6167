"""Run SecantusDB, and shut it down cleanly when the process that started it goes away.

The Node harness owns the database. If the owner is killed (SIGKILL, a crashed jest run) the
server must not linger holding the port and the data directory, so a watchdog thread polls the
parent pid and, once it changes, sends this process SIGTERM: SecantusDB's own handler then
closes WiredTiger properly.
"""
import os
import signal
import sys
import threading
import time

from secantus.cli import main

owner = os.getppid()

# SecantusDB's handler raises SystemExit on every SIGINT/SIGTERM; a second signal arriving
# during shutdown (Ctrl-C plus our own SIGTERM) would interrupt the first one's clean-up.
# Let only the first termination signal through.
_install_handler = signal.signal
_terminating = False


def _first_signal_only(signum, handler):
    if not callable(handler):
        return _install_handler(signum, handler)

    def once(sig, frame):
        global _terminating
        if _terminating:
            return
        _terminating = True
        handler(sig, frame)

    return _install_handler(signum, once)


signal.signal = _first_signal_only


def watch_owner() -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != owner:
            os.kill(os.getpid(), signal.SIGTERM)
            return


threading.Thread(target=watch_owner, daemon=True).start()
sys.exit(main(sys.argv[1:]))
