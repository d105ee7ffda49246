"""A QEMU human monitor (HMP) on a unix socket: the lab runner's way to
stop L1 and read its memory after a crash (monitor-cmd, l1-pagewalk)."""
import re
import socket

PROMPT = b"(qemu) "


class Monitor:
    def __init__(self, path, timeout=20):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self._read()  # the banner

    def _read(self):
        buf = b""
        while not buf.endswith(PROMPT):
            chunk = self.s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf[: -len(PROMPT)] if buf.endswith(PROMPT) else buf

    def run(self, cmd):
        """The output of one command (without the echoed command line)."""
        self.s.sendall(cmd.encode() + b"\n")
        out = self._read().decode(errors="replace").replace("\r", "")
        # HMP echoes the command line, redrawn with terminal escapes
        return "\n".join(l for l in out.split("\n") if "\x1b" not in l)

    def read_u64(self, pa):
        """The 8 bytes of guest-physical memory at pa."""
        out = self.run("xp /1gx 0x%x" % pa)
        m = re.search(r"^[0-9a-f]+: 0x([0-9a-f]+)", out, re.M)
        if not m:
            raise RuntimeError("xp 0x%x: %s" % (pa, out.strip()))
        return int(m.group(1), 16)

    def close(self):
        self.s.close()
