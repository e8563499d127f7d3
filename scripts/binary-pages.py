#!/usr/bin/env python3
"""What of a running process's own executable is resident, and why: per mapping of the binary
(r--p read-only data, r-xp code, ...), the pages mapped (RSS), how many of them the process
touched since `--clear` (smaps' Referenced), and the sizes of the page-cache folios they sit
in (Linux 6.18 maps a whole large folio on a fault, not only the page touched).

usage: scripts/binary-pages.py PID [--clear]
       scripts/binary-pages.py --cache FILE        # how much of FILE is in the page cache
       scripts/binary-pages.py --evict FILE        # drop FILE's clean cached pages (fadvise)
       scripts/binary-pages.py --copy SRC DST [--write-size BYTES] [--cold]
                                                    # DST written with writes of that size
                                                    # (the page cache's folios follow them);
                                                    # --cold: synced and evicted after

`--clear` writes 1 to /proc/PID/clear_refs first (the accessed bits of the process's page
table entries are cleared), so a later run's Referenced counts what was touched between the
two. Folio sizes need root (/proc/PID/pagemap's frame numbers and /proc/kpageflags); without
it they are left out. Evicting only touches the named file's pages that nobody maps: use it
on a copy of the binary, not on one that is running.
"""
import ctypes
import ctypes.util
import mmap
import os
import struct
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")
KPF_COMPOUND_HEAD = 1 << 15
KPF_COMPOUND_TAIL = 1 << 16


def exe_mappings(pid):
    """The executable's mappings as (start, end, perms, offset), from /proc/PID/maps."""
    exe = os.readlink(f"/proc/{pid}/exe")
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].strip() == exe:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                out.append((lo, hi, parts[1], int(parts[2], 16)))
    return exe, out


def smaps_fields(pid):
    """smaps' fields per mapping start address (kB)."""
    out, cur = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 1)[0]
            if "-" in head and not head.endswith(":"):
                cur = int(head.split("-")[0], 16)
                out[cur] = {}
            elif head.endswith(":") and cur is not None:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    out[cur][head[:-1]] = int(parts[1])
    return out


def folio_histogram(pid, lo, hi):
    """Mapped pages of [lo, hi) by the size (pages) of the folio each sits in; None if the
    frame numbers cannot be read."""
    n = (hi - lo) // PAGE
    try:
        with open(f"/proc/{pid}/pagemap", "rb") as f:
            f.seek(lo // PAGE * 8)
            raw = f.read(n * 8)
        kflags = open("/proc/kpageflags", "rb")
    except OSError:
        return None
    sizes, cache = {}, {}

    def flags(pfn):
        kflags.seek(pfn * 8)
        return struct.unpack("<Q", kflags.read(8))[0]

    def folio_pages(pfn):
        head = pfn
        while flags(head) & KPF_COMPOUND_TAIL:
            head -= 1
        if head in cache:
            return cache[head]
        pages = 1
        if flags(head) & KPF_COMPOUND_HEAD:
            while flags(head + pages) & KPF_COMPOUND_TAIL:
                pages += 1
        cache[head] = pages
        return pages

    with kflags:
        for i in range(n):
            e = struct.unpack_from("<Q", raw, i * 8)[0]
            if not e >> 63:
                continue
            pfn = e & ((1 << 55) - 1)
            if pfn == 0:
                return None  # not root: frame numbers read as 0
            p = folio_pages(pfn)
            sizes[p] = sizes.get(p, 0) + 1
    return sizes


def report(pid):
    exe, maps = exe_mappings(pid)
    sm = smaps_fields(pid)
    st = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                st[k] = int(v.split()[0])
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    print(f"pid {pid} {exe}: {rest[7]} minor faults, {rest[9]} major")
    print("RSS {:.1f} MiB: anonymous {:.1f}, file {:.1f}".format(
        st["VmRSS"] / 1024, st["RssAnon"] / 1024, st["RssFile"] / 1024))
    tot = {"Rss": 0, "Referenced": 0, "Anonymous": 0}
    for lo, hi, perms, off in maps:
        s = sm.get(lo, {})
        hist = folio_histogram(pid, lo, hi)
        line = "  {} {:>8.1f} MiB mapped, Rss {:>7.1f} MiB, Referenced {:>7.1f}, Anonymous {:>5.1f}".format(
            perms, (hi - lo) / 2**20, s.get("Rss", 0) / 1024, s.get("Referenced", 0) / 1024,
            s.get("Anonymous", 0) / 1024)
        if hist:
            line += "; resident pages by folio size: " + ", ".join(
                f"{k * PAGE // 1024} KiB {v * PAGE / 2**20:.1f} MiB" for k, v in sorted(hist.items()))
        print(line)
        for k in tot:
            tot[k] += s.get(k, 0)
    print("  the binary: Rss {:.1f} MiB, Referenced {:.1f}, Anonymous (relocated, written) {:.1f}".format(
        tot["Rss"] / 1024, tot["Referenced"] / 1024, tot["Anonymous"] / 1024))


def clear_refs(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("1")


def cached_pages(path):
    """(pages in the page cache, pages) of a file, by mincore over a mapping of it."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    n = (size + PAGE - 1) // PAGE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        vec = ctypes.create_string_buffer(n)
        if libc.mincore(addr, size, vec) != 0:
            raise OSError(ctypes.get_errno(), "mincore")
        libc.munmap(addr, size)
    finally:
        os.close(fd)
    return sum(b & 1 for b in vec.raw), n


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def copy(src, dst, write_size, cold):
    with open(src, "rb") as f:
        data = f.read()
    tmp = dst + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
    try:
        for i in range(0, len(data), write_size):
            os.write(fd, data[i:i + write_size])
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, dst)
    if cold:
        evict(dst)


def main(argv):
    if len(argv) >= 2 and argv[0] == "--cache":
        have, n = cached_pages(argv[1])
        print(f"{argv[1]}: {have * PAGE / 2**20:.1f} of {n * PAGE / 2**20:.1f} MiB in the page cache")
        return 0
    if len(argv) >= 2 and argv[0] == "--evict":
        evict(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] == "--copy":
        ws = int(argv[argv.index("--write-size") + 1]) if "--write-size" in argv else 1 << 20
        copy(argv[1], argv[2], ws, "--cold" in argv)
        return 0
    if not argv or not argv[0].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    pid = int(argv[0])
    if "--clear" in argv:
        clear_refs(pid)
    else:
        report(pid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
