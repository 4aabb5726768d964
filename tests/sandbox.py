"""Run `digest` in a real process against real faults of the file system (issue 10):

- a full disk: the project is copied onto a small tmpfs in a private mount namespace, the
  free space is filled down to a chosen number of kilobytes, digest runs there, and the
  project is copied back out for the test to inspect;
- a read-only mount: the project folder is bind-mounted read-only (EROFS) for digest only;
- no permission: files and folders lose their write bits and, when the tests run as root
  (which ignores permissions), digest runs without CAP_DAC_OVERRIDE (setpriv) so they bite.

`unshare` and `setpriv` come with util-linux (essential on Debian). As root the namespace is
a plain mount namespace; otherwise a user namespace maps us to root inside it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = os.geteuid() == 0
DROP_CAPS = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable",
    "--inh-caps=-all",
]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "200"}


def digest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest", *args]


def run(args: list[str], *, prefix: list[str] | None = None, timeout: float = 180) -> Run:
    try:
        proc = subprocess.run(
            [*(prefix or []), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_env(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:  # a hang is a finding, not a crash of the harness
        return Run(-1, "", f"timed out after {timeout:.0f} s: {' '.join(map(str, e.cmd))}")
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _unshare() -> list[str]:
    return ["unshare", "-m"] if ROOT else ["unshare", "-r", "-m"]


def run_read_only_mount(project: Path, *args: str) -> Run:
    """`digest ARGS` with `project` mounted read-only (writes fail with EROFS)."""
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return run(
        [*_unshare(), "sh", "-c", script, "sh", str(project), *digest_cmd(*args)],
    )


def run_without_write_permission(paths: list[Path], *args: str) -> Run:
    """`digest ARGS` after removing the write bits of `paths` (restored afterwards)."""
    saved = {p: p.stat().st_mode for p in paths}
    try:
        for p in paths:
            p.chmod(stat.S_IMODE(saved[p]) & ~0o222)
        return run(digest_cmd(*args), prefix=DROP_CAPS if ROOT else None)
    finally:
        for p, mode in saved.items():
            p.chmod(stat.S_IMODE(mode))


def run_on_full_disk(project: Path, free_kb: int, *args: str, result: Path) -> Run:
    """`digest ARGS -p <copy>` with the project on a tmpfs that has `free_kb` KB left;
    afterwards the project as digest left it is copied to `result`."""
    helper = Path(__file__).resolve()
    return run(
        [
            *_unshare(),
            sys.executable,
            str(helper),
            str(project),
            str(free_kb),
            str(result),
            *args,
        ],
    )


def _inside(project: Path, free_kb: int, result: Path, args: list[str]) -> int:
    """Runs in the private mount namespace (see run_on_full_disk)."""
    used = sum(f.stat().st_size for f in project.rglob("*") if f.is_file()) // 1024
    mount = project.parent / f".tmpfs-{os.getpid()}"
    mount.mkdir()
    size = used * 2 + free_kb + 2048
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k", "tmpfs", str(mount)], check=True)
    work = mount / "project"
    shutil.copytree(project, work, symlinks=True)
    filler = mount / "filler"
    with open(filler, "wb") as f:
        while True:
            st = os.statvfs(mount)
            spare = st.f_bavail * st.f_frsize - free_kb * 1024
            if spare <= 0:
                break
            try:
                f.write(b"\0" * min(spare, 1 << 20))
                f.flush()
            except OSError:
                break
    proc = subprocess.run(
        digest_cmd("-p", str(work), *args), capture_output=True, text=True, env=_env()
    )
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    filler.unlink()
    shutil.rmtree(result, ignore_errors=True)
    shutil.copytree(work, result, symlinks=True)
    subprocess.run(["umount", str(mount)], check=True)
    mount.rmdir()
    return proc.returncode


if __name__ == "__main__":
    sys.exit(_inside(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]))
