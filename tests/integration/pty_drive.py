#!/usr/bin/python3
"""Drive an interactive command through a pseudo-terminal, for tests.

usage: pty_drive.py SCRIPT DIR [--stdout FILE] [--stderr FILE] -- CMD ARG...

CMD runs as a session leader with the pty as its controlling terminal, so
what it opens as /dev/tty is the pty.  Its stdin is the pty; its stdout and
stderr go to FILE when given (so a test can search them), else to the pty.

SCRIPT holds one directive per line (blank lines and # comments skipped):

  expect SECONDS REGEX   wait until REGEX (Python re, DOTALL) matches the
                         terminal output since the previous match
  save NAME              write group 1 of the last match to DIR/NAME (0600)
  send TEXT              type TEXT (may be empty) and Enter
  sendfile NAME          type the contents of DIR/NAME and Enter, so secrets
                         never appear in SCRIPT
  procscan NAME...       fail if /proc/PID/cmdline or /proc/PID/environ of
                         CMD holds the contents of any DIR/NAME
  absent NAME...         fail if the terminal output so far holds any of them
  noecho SECONDS         wait until CMD has turned the terminal's echo off
                         (it is about to read a secret), so what is typed
                         next is neither shown nor flushed by its tcsetattr
  eof SECONDS            wait for CMD to exit

The driver exits with CMD's exit status, or 125 when a directive fails
(after printing the directive and the end of the terminal output), killing
CMD if it still runs.
"""
import os
import pty
import re
import select
import signal
import sys
import termios
import time


class Failed(Exception):
    pass


class Session:
    def __init__(self, argv, out, err, dir_):
        self.dir = dir_
        self.screen = b""   # everything CMD wrote to the terminal
        self.pos = 0        # where the next expect starts
        self.match = None
        self.status = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            self._child(argv, out, err)

    @staticmethod
    def _child(argv, out, err):
        try:
            for fd, path in ((1, out), (2, err)):
                if path:
                    f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                0o600)
                    os.dup2(f, fd)
                    os.close(f)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:     # EIO: the child closed the terminal
            data = b""
        if not data:
            self._reap(blocking=True)
            return None
        self.screen += data
        return True

    def _reap(self, blocking):
        if self.status is not None:
            return
        pid, st = os.waitpid(self.pid, 0 if blocking else os.WNOHANG)
        if pid == self.pid:
            self.status = os.waitstatus_to_exitcode(st)

    def expect(self, seconds, regex):
        pat = re.compile(regex.encode(), re.DOTALL)
        end = time.monotonic() + seconds
        while True:
            m = pat.search(self.screen, self.pos)
            if m:
                self.match = m
                self.pos = m.end()
                return
            left = end - time.monotonic()
            if left <= 0:
                raise Failed("timed out")
            if self._read(left) is None:
                raise Failed("the command ended (status %s)" % self.status)

    def send(self, data):
        os.write(self.fd, data + b"\r")

    def noecho(self, seconds):
        end = time.monotonic() + seconds
        while termios.tcgetattr(self.fd)[3] & termios.ECHO:
            left = end - time.monotonic()
            if left <= 0:
                raise Failed("the terminal's echo stayed on")
            if self._read(min(left, 0.05)) is None:
                raise Failed("the command ended (status %s)" % self.status)

    def value(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read().strip()

    def save(self, name):
        if self.match is None or self.match.lastindex is None:
            raise Failed("nothing captured")
        path = os.path.join(self.dir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self.match.group(1) + b"\n")

    def procscan(self, names):
        for part in ("cmdline", "environ"):
            with open("/proc/%d/%s" % (self.pid, part), "rb") as f:
                data = f.read()
            for n in names:
                if self.value(n) in data:
                    raise Failed("%s found in /proc/PID/%s" % (n, part))

    def absent(self, names):
        for n in names:
            if self.value(n) in self.screen:
                raise Failed("%s was shown on the terminal" % n)

    def eof(self, seconds):
        end = time.monotonic() + seconds
        while self.status is None:
            left = end - time.monotonic()
            if left <= 0:
                raise Failed("the command did not end")
            self._read(left)

    def kill(self):
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            self._reap(blocking=True)


def run(session, lines):
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        try:
            if word == "expect":
                secs, _, regex = rest.partition(" ")
                session.expect(float(secs), regex)
            elif word == "save":
                session.save(rest)
            elif word == "send":
                session.send(rest.encode())
            elif word == "sendfile":
                session.send(session.value(rest))
            elif word == "procscan":
                session.procscan(rest.split())
            elif word == "absent":
                session.absent(rest.split())
            elif word == "noecho":
                session.noecho(float(rest))
            elif word == "eof":
                session.eof(float(rest))
            else:
                raise Failed("unknown directive")
        except (Failed, OSError) as e:
            tail = session.screen[-1500:].decode(errors="replace")
            sys.stderr.write("pty_drive: line %d: %s: %s\n--- terminal "
                             "(end) ---\n%s\n---\n" % (n, line, e, tail))
            return False
    return True


def main(argv):
    if "--" not in argv or len(argv) < 4:
        sys.stderr.write(__doc__)
        return 125
    sep = argv.index("--")
    opts, cmd = argv[1:sep], argv[sep + 1:]
    script, dir_ = opts[0], opts[1]
    out = err = None
    i = 2
    while i < len(opts):
        if opts[i] == "--stdout":
            out = opts[i + 1]
        elif opts[i] == "--stderr":
            err = opts[i + 1]
        else:
            sys.stderr.write("pty_drive: unknown option %s\n" % opts[i])
            return 125
        i += 2
    with open(script) as f:
        lines = f.readlines()
    s = Session(cmd, out, err, dir_)
    ok = run(s, lines + ["eof 60"])
    if not ok:
        s.kill()
        return 125
    return s.status if s.status >= 0 else 128 - s.status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
