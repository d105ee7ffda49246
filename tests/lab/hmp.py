"""A QEMU human monitor (HMP) on a unix socket: the lab runner's way to
stop L1 and read its memory after a crash (monitor-cmd, l1-pagewalk)."""
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
        for line in out.split("\n"):
            if ":" in line:
                return int(line.split(":")[1].split()[0], 16)
        raise RuntimeError("xp 0x%x: %r" % (pa, out))

    def close(self):
        self.s.close()
