"""The key agent: an officer's key unlocked once for a working session, never written anywhere.

`jcg officer unlock` opens the officer's key file (the passphrase asked once, one scrypt
derivation) and hands the key, through a pipe, to a small process of the officer's own. Until it
has been idle for the time asked (default 15 minutes), or 8 hours have passed, or `jcg officer
lock` ends it, that process signs what the officer's commands send it over a Unix socket in a
directory only the officer can enter; the commands then need neither the passphrase nor the
0.2–0.3 s of the derivation (docs/decisions.md, "The key agent"). As with ssh-agent or a bank's
USB key, a program running as the officer may ask it to sign while it runs, but cannot read the
key: the agent is not dumpable (no ptrace, no core file), whereas a passphrase in
$JCG_PASSPHRASE can be read from the environment of every process it is handed to.

One agent per key directory and user; it holds the officer's key and, if its file is there and
opens with the same passphrase, the ledger's checkpoint key. A command checks that the agent runs
as its own user, that the key it holds is the one asked for, and every signature it returns.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat

from domain.errors import Refused
from domain.messages import N_

DEFAULT_IDLE = 15 * 60  # seconds without a request before the agent ends
LONGEST = 8 * 3600  # an agent never outlives a working day, however it is used
MAX_REQUEST = 64 * 1024  # bytes: a request digest is 32 bytes, a checkpoint note a few hundred
_REPLY_WAIT = 10.0  # seconds a command waits for the agent's answer


def runtime_dir() -> Path:
    """The officer's private directory for agent sockets: ``$XDG_RUNTIME_DIR/jcg`` (a per-user
    directory the system makes 0700) or ``/tmp/jcg-<uid>``."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    return Path(base) / "jcg" if base else Path(f"/tmp/jcg-{os.getuid()}")


def socket_path(key_directory: Path | str) -> Path:
    """The socket of the agent for the key files in ``key_directory`` (by its real path)."""
    real = os.path.realpath(key_directory)
    return runtime_dir() / f"agent-{hashlib.sha256(real.encode('utf-8')).hexdigest()[:20]}.sock"


def _private_directory(path: Path, *, create: bool) -> bool:
    """True if ``path`` is a directory of this user that nobody else may enter (made so if asked)."""
    if create:
        try:
            path.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)  # struct ucred: pid, uid, gid
    return int.from_bytes(creds[4:8], sys.byteorder)


# the command's side -----------------------------------------------------------------------

def _ask(path: Path, request: dict[str, Any]) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(_REPLY_WAIT)
        conn.connect(str(path))
        if _peer_uid(conn) != os.getuid():
            raise ConnectionError("the agent's socket is held by another user")
        conn.sendall(json.dumps(request).encode("utf-8") + b"\n")
        reply = _read_line(conn)
    answer = json.loads(reply)
    if not isinstance(answer, dict):
        raise ConnectionError("not an agent's answer")
    return answer


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ConnectionError("message too long")
    return data


class AgentKey(Ed25519PrivateKey):
    """A key held by the agent: signs through it (each signature checked against the key's public
    half), never gives its private bytes."""

    def __init__(self, path: Path, name: str, public: bytes):
        self._path = path
        self._name = name
        self._public = Ed25519PublicKey.from_public_bytes(public)

    def public_key(self) -> Ed25519PublicKey:
        return self._public

    def sign(self, data: bytes | bytearray | memoryview) -> bytes:
        data = bytes(data)
        try:
            answer = _ask(self._path, {"op": "sign", "name": self._name, "data": base64.b64encode(data).decode("ascii")})
            signature = base64.b64decode(answer["signature"])
            self._public.verify(signature, data)
        except Exception:
            raise Refused(N_("the key agent holding the key of {name} stopped or failed: run `jcg officer unlock` "
                             "again, or give the passphrase (nothing was written)"), name=self._name) from None
        return signature

    def private_bytes(self, encoding: Encoding, format: PrivateFormat, encryption_algorithm: Any) -> bytes:
        raise Refused(N_("the key of {name} is held by the key agent and is never exported"), name=self._name)

    def private_bytes_raw(self) -> bytes:
        raise Refused(N_("the key of {name} is held by the key agent and is never exported"), name=self._name)

    def __copy__(self) -> AgentKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> AgentKey:
        return self


def held(key_directory: Path | str, name: str) -> AgentKey | None:
    """``name``'s key as held by a running agent for ``key_directory``, or None (no agent, an agent
    of another user, a socket in a directory others may enter, or an agent without that key)."""
    path = socket_path(key_directory)
    if not os.path.exists(path) or not _private_directory(path.parent, create=False):
        return None
    try:
        answer = _ask(path, {"op": "public", "name": name})
        public = base64.b64decode(answer["public"]) if answer.get("ok") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if public is None or len(public) != 32:
        return None
    return AgentKey(path, name, public)


def status(key_directory: Path | str) -> dict[str, Any] | None:
    """What the agent for ``key_directory`` holds and until when, or None if none runs."""
    path = socket_path(key_directory)
    if not os.path.exists(path) or not _private_directory(path.parent, create=False):
        return None
    try:
        answer = _ask(path, {"op": "status"})
    except (OSError, ValueError):
        return None
    return answer if answer.get("ok") else None


def stop(key_directory: Path | str) -> bool:
    """End the agent for ``key_directory``; True if one was running."""
    path = socket_path(key_directory)
    if not os.path.exists(path) or not _private_directory(path.parent, create=False):
        return False
    try:
        _ask(path, {"op": "stop"})
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)  # a socket no agent answers on any more
        return False
    return True


def start(key_directory: Path | str, keys: dict[str, Ed25519PrivateKey], idle: float) -> Path:
    """Start an agent holding ``keys`` for ``key_directory`` (one already running is ended first);
    returns its socket. The keys go to it through a pipe: never argv, the environment or a file."""
    if not 1 <= idle <= LONGEST:
        raise Refused(N_("the key agent's idle time must be between 1 second and 8 hours"))
    path = socket_path(key_directory)
    if not _private_directory(path.parent, create=True):
        raise Refused(N_("{folder} (for the key agent's socket) is not a private directory of this user: "
                         "chmod 700 it or set XDG_RUNTIME_DIR"), folder=str(path.parent))
    import subprocess

    stop(key_directory)
    root = str(Path(__file__).resolve().parents[2])
    child = subprocess.Popen(  # this interpreter, this module
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {root!r}); from ledger.infra.agent import main; main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd="/", start_new_session=True,
        close_fds=True)
    assert child.stdin is not None and child.stdout is not None
    order = {"socket": str(path), "idle": idle, "longest": LONGEST,
             "keys": {name: key.private_bytes_raw().hex() for name, key in keys.items()}}
    try:
        child.stdin.write(json.dumps(order).encode("ascii"))
        child.stdin.close()
        ready = child.stdout.readline()
    except OSError:
        ready = b""
    finally:
        del order
    child.stdout.close()
    if ready.strip() != b"ready":
        child.kill()
        child.wait()
        raise Refused(N_("the key agent could not be started"))
    return path


# the agent's side -------------------------------------------------------------------------

def _not_dumpable() -> None:
    """prctl(PR_SET_DUMPABLE, 0): no core file, and no other process of the user may ptrace this
    one or read its memory."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main() -> None:
    """The agent process: reads its order from stdin, says "ready" on stdout, then serves."""
    _not_dumpable()
    order = json.loads(sys.stdin.buffer.read(MAX_REQUEST))
    keys = {name: Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw)) for name, raw in order["keys"].items()}
    order["keys"] = None
    path = order["socket"]
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(mask)
    listener.listen(16)
    inode = os.stat(path).st_ino
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdout.close()
    try:
        serve(listener, keys, float(order["idle"]), time.monotonic() + float(order["longest"]),
              time.time() + float(order["longest"]))
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == inode:  # never remove a newer agent's socket
                os.unlink(path)


def serve(listener: socket.socket, keys: dict[str, Ed25519PrivateKey], idle: float, end: float, end_wall: float) -> None:
    """Answer one request per connection until idle for ``idle`` seconds, ``end`` (monotonic) or a stop."""
    last = time.monotonic()
    publics = {name: base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")
               for name, key in keys.items()}
    while True:
        wait = min(last + idle, end) - time.monotonic()
        if wait <= 0:
            return
        listener.settimeout(wait)
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return
        with conn:
            try:
                if _peer_uid(conn) != os.getuid():
                    continue
                conn.settimeout(_REPLY_WAIT)
                request = json.loads(_read_line(conn))
                op = request.get("op")
                if op == "stop":
                    conn.sendall(b'{"ok": true}\n')
                    return
                if op == "status":
                    ends_in = min(last + idle, end) - time.monotonic()  # a status is not a use
                    answer: dict[str, Any] = {"ok": True, "names": sorted(keys), "idle": idle,
                                              "idle_until": time.time() + ends_in, "until": end_wall}
                elif op == "public" and request.get("name") in keys:
                    answer = {"ok": True, "public": publics[request["name"]]}
                elif op == "sign" and request.get("name") in keys:
                    data = base64.b64decode(request["data"], validate=True)
                    last = time.monotonic()  # idle: the time since the last signature
                    answer = {"ok": True, "signature": base64.b64encode(keys[request["name"]].sign(data)).decode("ascii")}
                else:
                    answer = {"ok": False}
                conn.sendall(json.dumps(answer).encode("ascii") + b"\n")
            except (OSError, ValueError, AttributeError, TypeError):
                continue

