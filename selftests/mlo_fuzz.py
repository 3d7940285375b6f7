#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded random operations on mlo instances, from every CPU at once.

  mlo_fuzz.py --seed N --prefix P [--seconds S] [--rounds R] [--ops N]
              [--workers W] [--round-seconds S] [--log FILE] [--all-kinds] [-v]
      Run rounds of random operations. In each round one worker per CPU
      (pinned to it) does link, addr, route, neigh, netns, qdisc, nft
      and frames operations on instances in this netns and in three
      namespaces of its own (P-<worker>a..c): ip, tc and nft commands,
      raw AF_PACKET frames of any ethertype, destination and length,
      UDP and TCP from sockets bound to instances, and bursts of frames
      from a child while the worker goes on (deleting the netns, say).
      Between rounds the module is unloaded and loaded again with a
      random numdevs, and in some rounds it is also unloaded while the
      workers run. A round ends when its time is up (S / 4 seconds, 15
      to 60, or --round-seconds) or, with --ops, after N steps of each
      worker (a step is one operation, or several ip ones in one batch);
      the run ends after --seconds or --rounds. After each quiet unload
      no mlo device may be left anywhere, lo must look as it did, and
      the kernel log (/dev/kmsg) must show nothing scripts/vm fails a
      guest for. The state at the end is left for the --counters and
      --cleanup modes (mlo_fuzz.sh runs all three).
  mlo_fuzz.py --counters N --prefix P
      Create one instance in this netns and in every P-* netns, take
      every instance there back to a plain state (up, carrier on, MTU
      64 KiB, no qdisc, none of the fuzzer's nft tables), send each N
      raw frames of an unhandled ethertype and N routed UDP datagrams
      and check that its counters moved by exactly that much; and that
      lo in every P-* netns is as in a new one.
  mlo_fuzz.py --cleanup --prefix P
      Delete the P-* namespaces and what the fuzzer leaves in this netns
      that outlives the instances (nft tables, rules, routes).

Expected refusals (EEXIST, EBUSY, EINVAL, ENODEV, a missing netns...)
are counted per kind, not failures. What fails: an operation that
breaks an invariant of the driver (an instance moved to another netns,
given 127.0.0.0/8 or ::1 or a link address, an MTU outside 68-65536
accepted or one inside it refused, a live instance without LOOPBACK), a
command that does not finish within --op-timeout (a device that never
becomes free), an unload that fails or leaves anything, lo changed, a
kernel warning; and any error of the fuzzer itself.

Reproducing: every choice comes from random.Random seeded with the
seed, the round and the worker, never from what an operation returned,
so a worker's operations in a round are the same on every run with that
seed (--dry-run prints them). What cannot be replayed is the timing:
how the two workers' operations interleave, where a round's time runs
out, when the module is unloaded under them. --ops N makes the number
of steps per round fixed; --log FILE keeps every operation, with the
time and its result.

Output: "# seed N" first, a line per round, then the totals per kind
("# link: 312 ok, 41 refused"; with -v per operation and the commonest
refusals) and, on a failure, "# FAIL: ..." lines and the command that
replays the run. Exit status 0, 1 on a failure, 2 when the fuzzer
itself went wrong.
"""

import argparse
import ctypes
import errno
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback

KINDS = ("link", "addr", "route", "neigh", "netns", "qdisc", "nft", "frames")
# How the tools and the frame senders refuse a device that is not there.
NO_DEVICE = re.compile(r"Cannot find device|does not exist|No such device|ENODEV")
WEIGHTS = (22, 12, 10, 5, 4, 8, 10, 29)
# The kinds that are ip commands, which can share one "ip -batch".
IP_KINDS = ("link", "addr", "route", "neigh")
IP_WEIGHTS = (22, 12, 10, 5)

CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20
ETH_P_ALL = 0x0003
ETH_P_MLO_TEST = 0x88B5

# The driver's limits (mlo.c): ETH_MIN_MTU and 64 KiB.
MIN_MTU = 68
MAX_MTU = 65536
MTUS = (0, 1, 67, 68, 69, 1279, 1280, 1281, 1500, 9000, 65535, 65536,
        65537, 131072, 4294967295)

# Tables, rule priorities and nft table names of the fuzzer's own, so
# that --cleanup removes them from this netns and nothing else.
TABLES = ("main", "31100", "31200")
RULE_PREF = 31100
NFT_TABLE = "mlofz"

# What scripts/vm fails a guest for (its BAD_LOG), checked in /dev/kmsg
# after each round so a failure is tied to the round that caused it.
BAD_LOG = re.compile(
    r"WARNING:|BUG:|Oops|general protection|Kernel panic|KASAN|UBSAN|"
    r"kmemleak: [0-9]+ new suspected|unreferenced object|ref_tracker|"
    r"refcount_t:|list_add corruption|list_del corruption|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|sleeping function called|"
    r"waiting for .* to become free|blocked for more than|"
    r"rcu_sched self-detected|rcu: INFO|Call Trace|stack-protector|"
    r"double free|use-after-free|unknown object")

libc = ctypes.CDLL(None, use_errno=True)


class Hung(Exception):
    """A command did not finish in time: stuck in the kernel."""


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


class InNetns:
    """Run a block in netns NS (None: the one the fuzzer started in).
    Sockets keep the netns they were made in after the switch back."""

    home = None

    def __init__(self, ns):
        self.ns = ns

    def __enter__(self):
        if self.ns:
            if InNetns.home is None:
                InNetns.home = os.open("/proc/self/ns/net", os.O_RDONLY)
            fd = os.open("/run/netns/" + self.ns, os.O_RDONLY)
            try:
                setns(fd)
            finally:
                os.close(fd)
        return self

    def __exit__(self, *exc):
        if self.ns:
            setns(InNetns.home)


def run_cmd(argv, stdin=None, timeout=60, ns=None):
    """(status, stdout, stderr) of argv run in netns ns; Hung when it is
    not done after timeout seconds. A process stuck in the kernel
    ignores SIGKILL: it is then left behind, not waited for.

    The command is started from inside the netns (setns), not with
    "ip -n", which also makes a mount namespace and remounts /sys for
    every command: three times the cost of the command itself in a
    guest under emulation."""
    try:
        with InNetns(ns):
            p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
    except OSError as e:
        if e.filename and str(e.filename).startswith("/run/netns/"):
            return 255, "", 'Cannot open network namespace "%s": %s' % (ns, e.strerror)
        raise
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        try:
            p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise Hung("%s: still running after %ds" % (" ".join(argv), timeout))
    return p.returncode, out, err


def first_line(text):
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:160]
    return ""


def as_typed(ns, argv):
    """argv as one would type it to run it in ns."""
    if not ns:
        return argv
    if argv[0] in ("ip", "tc"):
        return argv[:1] + ["-n", ns] + argv[1:]
    return ["ip", "netns", "exec", ns] + argv


def links(ns, timeout):
    """{name: (kind, flags, addresses)} of every device in ns, from one
    dump; the kind is right also when the module is not loaded."""
    rc, out, err = run_cmd(["ip", "-d", "-j", "addr", "show"], timeout=timeout, ns=ns)
    if rc != 0:
        return None
    found = {}
    for dev in json.loads(out):
        kind = dev.get("linkinfo", {}).get("info_kind", "")
        addrs = sorted("%s/%s" % (a.get("local"), a.get("prefixlen"))
                       for a in dev.get("addr_info", []))
        found[dev["ifname"]] = (kind, ",".join(dev.get("flags", [])), " ".join(addrs))
    return found


def netns_list(prefix):
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return []
    return sorted(n for n in names if n.startswith(prefix + "-"))


# ---- frames -------------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


class Pools:
    """Names and addresses of one worker. Small pools, so that random
    picks often hit something that exists."""

    def __init__(self, prefix, w):
        self.w = w
        self.namespaces = [None] + ["%s-%d%s" % (prefix, w, c) for c in "abc"]
        self.ns_weights = [3, 3, 2, 1]
        self.devs = ["fz%d%s" % (w, c) for c in "abc"] + ["mlo0", "mlo1"]
        self.dev_weights = [4, 3, 2, 1.5, 0.5]
        b = 16 * w
        self.v4_local = ["192.0.2.%d" % (b + i) for i in (1, 2, 3)]
        self.v4_routed = ["198.51.100.%d" % (b + 9), "203.0.113.%d" % (b + 5),
                          "198.18.%d.9" % w]
        self.v4_other = ["127.0.0.1", "127.1.2.3", "0.0.0.0", "255.255.255.255",
                         "192.0.2.255", "224.0.0.1", "224.0.0.22", "239.1.2.3",
                         "10.0.0.1"]
        self.v6_local = ["2001:db8:%x::%d" % (w, i) for i in (1, 2, 3)]
        self.v6_routed = ["2001:db8:ff%d::9" % w, "2001:db8:fe%d::5" % w]
        self.v6_other = ["::1", "::", "fe80::1", "fe80::2", "ff02::1", "ff02::2",
                         "ff02::16", "ff02::1:ff00:1", "::ffff:127.0.0.1"]
        # Prefixes routes use; none covers 198.18.254/23 (--counters).
        self.v4_prefixes = ["198.51.100.%d/28" % b, "203.0.113.%d/32" % (b + 5),
                            "198.18.%d.0/24" % w, "192.0.2.%d/30" % (b + 8)]
        self.v6_prefixes = ["2001:db8:ff%d::/64" % w, "2001:db8:fe%d::5/128" % w,
                            "2001:db8:fd%d::/48" % w]

    def v4(self, rng):
        return rng.choice(rng.choice((self.v4_local, self.v4_routed, self.v4_other)))

    def v6(self, rng):
        return rng.choice(rng.choice((self.v6_local, self.v6_routed, self.v6_other)))


MACS = ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01",
        "33:33:00:00:00:01", "33:33:ff:00:00:01", "02:00:00:00:00:01")


def rand_mac(rng):
    """Mostly the instance's own address, which is where looped traffic
    goes."""
    r = rng.random()
    if r < 0.4:
        return bytes(6)
    if r < 0.5:
        return rng.randbytes(6)
    return mac(rng.choice(MACS))


def l4(rng, proto, pseudo):
    """A transport header and payload for proto, checksummed most of the
    time; pseudo(length) is the pseudo header for a segment that long."""
    data = rng.randbytes(rng.choice((0, 0, 1, 8, 32, 64)))
    if proto == 17:
        dport = rng.choice((7, 9, 53, 67, 68, 123, 547, 4789, rng.randrange(65536)))
        hdr = struct.pack("!HHHH", rng.randrange(65536), dport, 8 + len(data), 0)
        off = 6
    elif proto == 6:
        flags = rng.choice((0x02, 0x10, 0x04, 0x11, 0x12, rng.randrange(256)))
        hdr = struct.pack("!HHIIBBHHH", rng.randrange(65536), rng.choice((22, 80, 9)),
                          rng.getrandbits(32), rng.getrandbits(32),
                          rng.choice((5, 5, 5, 15, 2)) << 4, flags, 65535, 0, 0)
        off = 16
    elif proto in (1, 58):
        if proto == 1:
            icmp = rng.choice((0, 3, 5, 8, 8, 11, 13, 17))
        else:
            icmp = rng.choice((1, 2, 3, 4, 128, 128, 129, 130, 131, 133, 134, 135,
                               136, 137, 143))
        hdr = struct.pack("!BBHI", icmp, rng.choice((0, 0, 1, 4)), 0, rng.getrandbits(32))
        if proto == 58 and icmp in (135, 136, 137):
            # a target address and a link-layer address option
            data = socket.inet_pton(socket.AF_INET6, "2001:db8::1") + b"\x01\x01" + \
                rng.randbytes(6) + data[:8]
        elif proto == 58 and icmp == 134:
            # a prefix information option: a /64 with the autonomous flag
            data = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 3600, 1800, 0) + \
                socket.inet_pton(socket.AF_INET6, "2001:db8:a::")
        off = 2
    elif proto == 2:
        hdr = struct.pack("!BBH4s", rng.choice((0x11, 0x16, 0x17, 0x22)), 0, 0,
                          socket.inet_aton(rng.choice(("224.0.0.1", "239.1.2.3", "0.0.0.0"))))
        off = 2
    else:
        return data
    seg = hdr + data
    if rng.random() < 0.85:
        c = csum(pseudo(len(seg)) + seg)
        seg = seg[:off] + struct.pack("!H", c) + seg[off + 2:]
    return seg


def ipv4_packet(rng, pools):
    src = socket.inet_aton(pools.v4(rng))
    dst = socket.inet_aton(pools.v4(rng))
    proto = rng.choice((17, 17, 6, 1, 1, 2, 0, 47, 255))
    if proto in (6, 17):
        seg = l4(rng, proto, lambda n: src + dst + struct.pack("!BBH", 0, proto, n))
    else:
        # ICMP and IGMP checksums cover the message alone
        seg = l4(rng, proto, lambda n: b"")
    opts = b""
    if rng.random() < 0.1:
        opts = rng.randbytes(4 * rng.randint(1, 10))
    tot = 20 + len(opts) + len(seg)
    if rng.random() < 0.1:
        tot = rng.randrange(65536)
    frag = rng.choice((0, 0, 0, 0x4000, 0x2000, 0x2000 | rng.randint(1, 100),
                       rng.randrange(0x2000)))
    ver_ihl = 0x40 | (5 + len(opts) // 4)
    if rng.random() < 0.05:
        ver_ihl = rng.randrange(256)
    hdr = struct.pack("!BBHHHBBH4s4s", ver_ihl, rng.choice((0, 0, 0x10, 0xff)), tot,
                      rng.randrange(65536), frag, rng.choice((0, 1, 2, 64, 255)),
                      proto, 0, src, dst) + opts
    if rng.random() < 0.9:
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + seg


def ipv6_packet(rng, pools):
    src = socket.inet_pton(socket.AF_INET6, pools.v6(rng))
    dst = socket.inet_pton(socket.AF_INET6, pools.v6(rng))
    last = rng.choice((17, 17, 58, 58, 58, 6, 59))
    seg = l4(rng, last, lambda n: src + dst + struct.pack("!I3xB", n, last))
    nh = last
    ext = rng.choice((None, None, None, 0, 0, 44, 43, 60))
    if ext in (0, 60):
        # hop-by-hop or destination options: router alert, or PadN
        opt = rng.choice((b"\x05\x02\x00\x00", b"\x01\x02\x00\x00", rng.randbytes(4)))
        seg = struct.pack("!BB", last, 0) + opt + seg
        nh = ext
    elif ext == 44:
        seg = struct.pack("!BBHI", last, 0, rng.randrange(65536), rng.getrandbits(32)) + seg
        nh = 44
    elif ext == 43:
        seg = struct.pack("!BBBB", last, 2, rng.choice((0, 2, 3, 4)), rng.randrange(4)) + \
            bytes(4) + rng.randbytes(16) + seg
        nh = 43
    plen = len(seg) if rng.random() < 0.9 else rng.randrange(65536)
    hdr = struct.pack("!IHBB16s16s", (6 << 28) | rng.getrandbits(20), plen, nh,
                      rng.choice((0, 1, 64, 255, 255)), src, dst)
    return hdr + seg


def arp_packet(rng, pools):
    return struct.pack("!HHBBH6s4s6s4s", rng.choice((1, 1, 772, rng.randrange(65536))),
                       0x0800, rng.choice((6, 6, 0, 16)), rng.choice((4, 4, 16)),
                       rng.choice((1, 1, 2, 3, 4, 8, rng.randrange(65536))),
                       rng.randbytes(6), socket.inet_aton(pools.v4(rng)), bytes(6),
                       socket.inet_aton(pools.v4(rng)))


ETHERTYPES = (0x88B5, 0x88CC, 0x8863, 0x8864, 0x8847, 0x0842, 0x88E5, 0x893A,
              0x9000, 0x0004, 0x0001, 0xFFFF, 0x0600)


def rand_frame(rng, pools):
    """One random Ethernet frame: well formed or not, of any length."""
    head = rand_mac(rng) + (bytes(6) if rng.random() < 0.7 else rng.randbytes(6))
    kind = rng.choice(("ipv4", "ipv4", "ipv4", "ipv6", "ipv6", "ipv6", "arp", "vlan",
                       "qinq", "8023", "other", "random"))
    if kind == "ipv4":
        body = b"\x08\x00" + ipv4_packet(rng, pools)
    elif kind == "ipv6":
        body = b"\x86\xdd" + ipv6_packet(rng, pools)
    elif kind == "arp":
        body = b"\x08\x06" + arp_packet(rng, pools)
    elif kind in ("vlan", "qinq"):
        inner = rng.choice(("ipv4", "ipv6", "88b5", "vlan"))
        if inner == "ipv4":
            payload = b"\x08\x00" + ipv4_packet(rng, pools)
        elif inner == "ipv6":
            payload = b"\x86\xdd" + ipv6_packet(rng, pools)
        elif inner == "vlan":
            payload = b"\x81\x00" + struct.pack("!H", rng.randrange(65536)) + b"\x88\xb5"
        else:
            payload = b"\x88\xb5" + rng.randbytes(20)
        body = (b"\x81\x00" if kind == "vlan" else b"\x88\xa8") + \
            struct.pack("!H", rng.randrange(65536)) + payload
    elif kind == "8023":
        llc = bytes((rng.choice((0x42, 0xAA, 0xE0, 0xFF, 0)),)) * 2 + b"\x03"
        body = struct.pack("!H", rng.randrange(0x600)) + llc + rng.randbytes(40)
    elif kind == "other":
        body = struct.pack("!H", rng.choice(ETHERTYPES)) + rng.randbytes(rng.randrange(80))
    else:
        body = rng.randbytes(rng.randrange(2, 120))
    frame = head + body
    how = rng.random()
    if how < 0.15:
        frame += bytes(max(0, 60 - len(frame)))
    elif how < 0.30:
        frame = frame[:rng.randrange(len(frame))]
    elif how < 0.38:
        size = rng.choice((1514, 1515, 9014, 65535, 65550, 65551))
        frame += rng.randbytes(max(0, size - len(frame)))
    return frame


def send_frames(ns, dev, frames, copies, bypass, dgram=None):
    """Send frames on dev in ns from an AF_PACKET socket: (ok, reason)."""
    sent = 0
    reason = ""
    try:
        with InNetns(ns):
            if dgram:
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM)
            else:
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    except OSError as e:
        return False, errno.errorcode.get(e.errno, str(e))
    with sock:
        try:
            if bypass:
                sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
            if not dgram:
                sock.bind((dev, 0))
        except OSError as e:
            return False, errno.errorcode.get(e.errno, str(e))
        for frame in frames:
            for _ in range(copies):
                try:
                    if dgram:
                        proto, dst = dgram
                        sock.sendto(frame, socket.MSG_DONTWAIT, (dev, proto, 0, 0, dst))
                    else:
                        sock.send(frame, socket.MSG_DONTWAIT)
                    sent += 1
                except OSError as e:
                    reason = errno.errorcode.get(e.errno, str(e))
    return sent > 0, reason


def send_udp(ns, dev, family, dst, port, size, count, ttl):
    """UDP datagrams to dst from a socket bound to dev: (ok, reason)."""
    sent = 0
    reason = ""
    try:
        with InNetns(ns):
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                ifindex = socket.if_nametoindex(dev)
            except OSError:
                ifindex = 0
    except OSError as e:
        return False, errno.errorcode.get(e.errno, str(e))
    with sock:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            if family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                struct.pack("=4s4si", bytes(4), bytes(4), ifindex))
                addr = (dst, port)
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
                addr = (dst, port, 0, ifindex)
        except OSError as e:
            return False, errno.errorcode.get(e.errno, str(e))
        payload = bytes(size)
        for _ in range(count):
            try:
                sock.sendto(payload, socket.MSG_DONTWAIT, addr)
                sent += 1
            except OSError as e:
                reason = errno.errorcode.get(e.errno, str(e))
    return sent > 0, reason


def tcp_connect(ns, dev, family, dst, port):
    try:
        with InNetns(ns):
            sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        return False, errno.errorcode.get(e.errno, str(e))
    with sock:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
            sock.setblocking(False)
            err = sock.connect_ex((dst, port))
        except OSError as e:
            return False, errno.errorcode.get(e.errno, str(e))
    if err in (0, errno.EINPROGRESS):
        return True, ""
    return False, errno.errorcode.get(err, str(err))


# ---- operations ---------------------------------------------------------

class Op:
    """One operation: commands run in order (stopping at the first that
    fails), or a function; oracle(status, stdout, stderr) returns what
    is wrong with the outcome, if anything."""

    def __init__(self, kind, sub, cmds=None, func=None, desc=None, oracle=None,
                 parts=None, batchable=True):
        self.kind = kind
        self.sub = sub
        self.cmds = cmds or []
        self.func = func
        self.desc = desc
        self.oracle = oracle
        self.parts = parts
        # ip exits at once on some arguments it cannot parse, which
        # would end a whole batch: those run on their own.
        self.batchable = batchable

    def batch_line(self, ns):
        """This operation as a line of "ip -batch" run in ns, or None.
        Global options (-4, -6, -d...) hold for a whole batch."""
        if self.func or len(self.cmds) != 1 or not self.batchable:
            return None
        cns, argv, stdin = self.cmds[0]
        if cns != ns or argv[0] != "ip" or stdin or argv[1].startswith("-"):
            return None
        if any(not a or any(c in a for c in " \\\"'#") for a in argv[1:]):
            return None
        return " ".join(argv[1:])

    def text(self):
        if self.desc:
            return self.desc
        parts = []
        for ns, argv, stdin in self.cmds:
            s = " ".join(a if a and " " not in a and "'" not in a else "'%s'" % a
                         for a in as_typed(ns, argv))
            if stdin:
                s += " <<< " + json.dumps(stdin)
            parts.append(s)
        return " && ".join(parts)


def must_fail(why):
    def oracle(rc, out, err):
        return why if rc == 0 else None
    return oracle


def mtu_oracle(m):
    def oracle(rc, out, err):
        if rc == 0 and not MIN_MTU <= m <= MAX_MTU:
            return "MTU %d accepted, outside %d-%d" % (m, MIN_MTU, MAX_MTU)
        if rc != 0 and MIN_MTU <= m <= MAX_MTU and \
                re.search(r"mtu (greater|less) than device (maximum|minimum)", err):
            return "MTU %d refused: %s" % (m, first_line(err))
        return None
    return oracle


def show_oracle(rc, out, err):
    """A live instance is a loopback with the all-zero address, and never
    has 127.0.0.0/8 or ::1 (a peer address is a known gap, README)."""
    if rc != 0:
        return None
    for line in out.splitlines():
        if "<" in line and ">" in line and "mtu" in line:
            flags = line.split("<", 1)[1].split(">", 1)[0].split(",")
            if "LOOPBACK" not in flags:
                return "instance without LOOPBACK: " + line.strip()
        if "link/" in line and "link/loopback 00:00:00:00:00:00" not in line:
            return "instance not link/loopback 00:00:00:00:00:00: " + line.strip()
        words = line.split()
        for i, w in enumerate(words[:-1]):
            if w in ("inet", "inet6") and "peer" not in words:
                a = words[i + 1].split("/")[0]
                if a == "::1" or a.startswith("127."):
                    return "instance has %s: %s" % (a, line.strip())
    return None


class Generator:
    """Random operations for one worker and round. Every random value is
    drawn here, before anything runs."""

    def __init__(self, rng, pools, have_ethtool, burst, op_timeout=60):
        self.rng = rng
        self.p = pools
        self.have_ethtool = have_ethtool
        self.burst = burst
        self.op_timeout = op_timeout
        self.recent = []
        self.fixed = None
        self.hooked = []

    def target(self):
        """A netns and a device name in it; the commands of one() run
        there unless told otherwise. Often one used lately: bugs are in
        how operations on one instance meet (a hook and a frame, a
        qdisc and a deletion), and pools this small still spread them
        thin."""
        rng = self.rng
        if self.recent and rng.random() < 0.5:
            ns, dev = rng.choice(self.recent)
        else:
            ns = rng.choices(self.p.namespaces, self.p.ns_weights)[0]
            dev = rng.choices(self.p.devs, self.p.dev_weights)[0]
        if self.fixed:
            ns = self.fixed[0]        # inside a batch
        self.recent = (self.recent + [(ns, dev)])[-4:]
        self.ns = ns
        return ns, dev

    def prologue(self):
        """What each round starts with: the instances of every netns
        populated, as the module was just loaded again."""
        ops = []
        for ns in self.p.namespaces:
            self.ns = ns
            ops.append(self.populate(ns))
        return ops

    def populate(self, ns):
        """Some of the worker's instances in ns created and up, with
        addresses and routes, in one ip -batch: many operations only
        do something when there is an instance to do it to."""
        rng, p = self.rng, self.p
        lines = []
        for i, dev in enumerate(p.devs[:3]):
            if rng.random() < 0.75:
                lines.append("link add %s up type mlo" % dev)
                if rng.random() < 0.7:
                    lines.append("addr add %s/32 dev %s" % (p.v4_local[i], dev))
                    lines.append("addr add %s/128 dev %s nodad" % (p.v6_local[i], dev))
                if rng.random() < 0.5:
                    lines.append("route add %s dev %s" % (p.v4_prefixes[i], dev))
        if not ns:
            lines.append("link set mlo0 up")
        return Op("link", "populate", [(ns, ["ip", "-force", "-batch", "-"],
                                        "\n".join(lines) + "\n")])
    def next(self):
        kind = self.rng.choices(KINDS, WEIGHTS)[0]
        if kind in IP_KINDS and self.rng.random() < 0.6:
            return self.batch()
        return getattr(self, "gen_" + kind)()

    def batch(self):
        """Several link, addr, route and neigh operations in one netns,
        in one "ip -force -batch": each is counted and checked on its
        own, for the cost of one process (the cost that bounds how much
        a run does under emulation)."""
        rng = self.rng
        self.target()
        ns = self.ns
        parts = []
        self.fixed = [ns]
        for _ in range(rng.randint(2, 8)):
            op = getattr(self, "gen_" + rng.choices(IP_KINDS, IP_WEIGHTS)[0])()
            if op.batch_line(ns) is not None:
                parts.append(op)
        self.fixed = None
        self.ns = ns
        return Op("batch", "ip", [(ns, ["ip", "-force", "-batch", "-"],
                                   "".join(op.batch_line(ns) + "\n" for op in parts))],
                  parts=parts)

    def one(self, kind, sub, argv, stdin=None, oracle=None, home=False):
        return Op(kind, sub, [(None if home else self.ns, argv, stdin)], oracle=oracle)

    # -- link --
    def gen_link(self):
        rng, p = self.rng, self.p
        ns, dev = self.target()
        ip = ["ip"]
        sub = rng.choices(("add", "del", "updown", "mtu", "rename", "group", "carrier",
                           "flags", "broadcast", "address", "netns", "ethtool", "show",
                           "populate"),
                          (8, 5, 7, 5, 3, 2, 3, 2, 1, 1, 2, 2, 3, 2))[0]
        if sub == "populate":
            return self.populate(ns)
        if sub == "add":
            argv = ip + ["link", "add"]
            form = rng.random()
            home = False
            batchable = True
            if form < 0.1:
                pass                         # an automatic name: mloN
            elif form < 0.25 and ns:
                argv = ["ip", "link", "add", dev, "netns", ns]
                home = True
                # ip exits at once when the netns is missing
                batchable = False
            else:
                argv += [dev]
            oracle = None
            extra = rng.random()
            if extra < 0.15:
                m = rng.choice(MTUS)
                argv += ["mtu", str(m)]
                oracle = mtu_oracle(m)
                batchable = batchable and m < 2 ** 31
            elif extra < 0.2:
                argv += ["address", "02:00:00:00:00:%02x" % rng.randrange(256)]
                oracle = must_fail("created with a non-zero link address")
            elif extra < 0.25:
                argv += ["broadcast", "ff:ff:ff:ff:ff:ff"]
                oracle = must_fail("created with a non-zero broadcast address")
            elif extra < 0.3:
                argv += ["address", "00:00:00:00:00:00", "broadcast", "00:00:00:00:00:00"]
            elif extra < 0.35:
                argv += ["numtxqueues", str(rng.choice((1, 2, 16))),
                         "numrxqueues", str(rng.choice((1, 4)))]
            elif extra < 0.4:
                argv += ["index", str(rng.choice((1, 100 + p.w, 2 ** 31 - 1)))]
            elif extra < 0.45:
                argv += ["txqueuelen", str(rng.choice((0, 1, 1000)))]
            if rng.random() < 0.4:
                argv += ["up"]
            argv += ["type", "mlo"]
            op = self.one("link", "add", argv, oracle=oracle, home=home)
            op.batchable = batchable
            return op
        if sub == "del":
            if rng.random() < 0.15:
                return self.one("link", "del-group", ip + ["link", "del", "group",
                                                           str(rng.choice((7, 8)))])
            return self.one("link", "del", ip + ["link", "del", dev])
        if sub == "updown":
            if rng.random() < 0.1:
                return self.one("link", "updown", ip + ["link", "set", "group",
                                str(rng.choice((7, 8))), rng.choice(("up", "down"))])
            return self.one("link", "updown", ip + ["link", "set", dev,
                                                    rng.choice(("up", "up", "down"))])
        if sub == "mtu":
            m = rng.choice(MTUS)
            op = self.one("link", "mtu", ip + ["link", "set", dev, "mtu", str(m)],
                          oracle=mtu_oracle(m))
            op.batchable = m < 2 ** 31        # else ip's own "Invalid mtu"
            return op
        if sub == "rename":
            new = rng.choice(p.devs[:3] + ["mlo%d", "fz%d" % p.w + "%d", "lo",
                                           "x" * 16, "a/b", "fz%dr" % p.w])
            op = self.one("link", "rename", ip + ["link", "set", dev, "name", new])
            op.batchable = "/" not in new and len(new) < 16
            return op
        if sub == "group":
            g = rng.choice((0, 7, 8, 4294967295))
            op = self.one("link", "group", ip + ["link", "set", dev, "group", str(g)])
            op.batchable = g < 2 ** 31
            return op
        if sub == "carrier":
            return self.one("link", "carrier", ip + ["link", "set", dev, "carrier",
                                                     rng.choice(("on", "off"))])
        if sub == "flags":
            flag = rng.choice(("arp", "multicast", "allmulticast", "promisc", "dynamic"))
            argv = ip + ["link", "set", dev, flag, rng.choice(("on", "off"))]
            if rng.random() < 0.3:
                argv = ip + ["link", "set", dev, "txqueuelen", str(rng.choice((0, 5, 1000)))]
            elif rng.random() < 0.2:
                argv = ip + ["link", "set", dev, "alias", "fuzz"]
            return self.one("link", "flags", argv)
        if sub == "broadcast":
            # Accepted, as on lo (README); only IPv6 multicast notices.
            return self.one("link", "broadcast", ip + ["link", "set", dev, "broadcast",
                            rng.choice(("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff",
                                        "33:33:00:00:00:01"))])
        if sub == "address":
            return self.one("link", "address", ip + ["link", "set", dev, "address",
                            "02:00:00:00:00:%02x" % rng.randrange(256)],
                            oracle=must_fail("link address changed"))
        if sub == "netns":
            others = [n for n in p.namespaces if n and n != ns]
            to = rng.choice(others + ["1"]) if ns else rng.choice(others)
            op = self.one("link", "netns", ip + ["link", "set", dev, "netns", to],
                          oracle=must_fail("moved to another netns"))
            op.batchable = to == "1"
            return op
        if sub == "ethtool" and self.have_ethtool:
            if rng.random() < 0.5:
                feat = rng.choice(("sg", "tso", "gso", "tx", "rx", "gro", "tx-checksum-sctp"))
                argv = ["ethtool", "-K", dev, feat, rng.choice(("on", "off"))]
            else:
                argv = ["ethtool", rng.choice(("-i", "-k", "-S", "-T")), dev]
            return self.one("link", "ethtool", argv)
        # show: also what the oracle checks
        if rng.random() < 0.5:
            return self.one("link", "show", ip + ["-d", "link", "show", "dev", dev],
                            oracle=show_oracle)
        return self.one("link", "show", ip + ["addr", "show", "dev", dev],
                        oracle=show_oracle)

    # -- addr --
    def gen_addr(self):
        rng, p = self.rng, self.p
        ns, dev = self.target()
        ip = ["ip"]
        sub = rng.choices(("add", "del", "flush", "show"), (6, 3, 1, 1))[0]
        if sub == "flush":
            return self.one("addr", "flush", ip + [rng.choice(("-4", "-6", "-0")), "addr",
                                                   "flush", "dev", dev])
        if sub == "show":
            return self.one("addr", "show", ip + ["addr", "show", "dev", dev],
                            oracle=show_oracle)
        oracle = None
        if rng.random() < 0.55:
            a = rng.choice(p.v4_local + ["127.0.0.2", "127.255.255.254", "127.0.0.1",
                                         "224.0.0.5", "255.255.255.255", "198.51.100.%d" % (16 * p.w + 1)])
            # Shorter prefixes make routes that would catch more than
            # test addresses: only in the fuzzer's own namespaces.
            plen = rng.choice((32, 32, 24, 31) + ((8,) if ns else ()))
            args = ["%s/%d" % (a, plen)]
            if rng.random() < 0.1:
                args = [a, "peer", rng.choice(p.v4_local) + "/32"]
            elif a.startswith("127."):
                oracle = must_fail("127.0.0.0/8 given to an instance")
            opts = rng.choice(([], [], ["noprefixroute"], ["label", dev + ":1"],
                               ["broadcast", "+"], ["valid_lft", "3", "preferred_lft", "1"],
                               ["metric", "5"]))
        else:
            a = rng.choice(p.v6_local + ["::1", "fe80::%d" % (p.w + 1), "::ffff:127.0.0.1",
                                         "2001:db8:%x::" % p.w, "ff02::1"])
            plen = rng.choice((128, 128, 64, 127))
            args = ["%s/%d" % (a, plen)]
            if rng.random() < 0.1:
                args = [a, "peer", rng.choice(p.v6_local) + "/128"]
            elif a == "::1":
                oracle = must_fail("::1 given to an instance")
            opts = rng.choice(([], ["nodad"], ["nodad"], ["noprefixroute"],
                               ["valid_lft", "4", "preferred_lft", "2"], ["home"],
                               ["nodad", "mngtmpaddr"]))
        if sub == "del":
            return self.one("addr", "del", ip + ["addr", "del"] + args + ["dev", dev])
        verb = rng.choice(("add", "add", "replace"))
        return self.one("addr", "add", ip + ["addr", verb] + args + ["dev", dev] + opts,
                        oracle=oracle)

    # -- route --
    def gen_route(self):
        rng, p = self.rng, self.p
        ns, dev = self.target()
        ip = ["ip"]
        sub = rng.choices(("add", "del", "flush", "get", "rule"), (6, 3, 1, 2, 2))[0]
        v6 = rng.random() < 0.4
        # "-6" only where no address says which family: it holds for a
        # whole batch.
        fam = ["-6"] if v6 else []
        prefix = rng.choice(p.v6_prefixes if v6 else p.v4_prefixes)
        table = rng.choice(TABLES)
        if sub == "get":
            dst = rng.choice(p.v6_routed + p.v6_local if v6 else p.v4_routed + p.v4_local)
            argv = ip + ["route", "get", dst]
            if rng.random() < 0.5:
                argv += ["oif", dev]
            return self.one("route", "get", argv)
        if sub == "flush":
            if rng.random() < 0.5:
                return self.one("route", "flush", ip + fam + ["route", "flush", "dev", dev])
            return self.one("route", "flush", ip + fam + ["route", "flush", "table",
                                                          rng.choice(TABLES[1:])])
        if sub == "rule":
            pref = str(RULE_PREF + 10 * p.w + rng.randrange(4))
            if rng.random() < 0.4:
                return self.one("route", "rule-del", ip + fam + ["rule", "del", "pref", pref])
            sel = rng.choice((["from", prefix], ["iif", dev], ["oif", dev], ["to", prefix]))
            return self.one("route", "rule-add", ip + (fam if sel[0] in ("iif", "oif") else []) +
                            ["rule", "add", "pref", pref] + sel + ["table", rng.choice(TABLES[1:])])
        form = rng.choice(("dev", "dev", "dev", "blackhole", "unreachable", "local",
                           "via", "multipath"))
        if sub == "del":
            argv = ip + ["route", "del", prefix, "table", table]
            if rng.random() < 0.5:
                argv += ["dev", dev]
            return self.one("route", "del", argv)
        verb = rng.choice(("add", "add", "replace", "append"))
        if form == "dev":
            spec = [prefix, "dev", dev]
            spec += rng.choice(([], [], ["metric", "7"], ["mtu", "lock", "1280"],
                                ["scope", "link"], ["src", p.v6_local[0] if v6 else p.v4_local[0]]))
        elif form in ("blackhole", "unreachable"):
            spec = [form, prefix]
        elif form == "local":
            spec = ["local", prefix, "dev", dev]
        elif form == "via":
            gw = rng.choice(("fe80::1", "2001:db8:%x::9" % p.w) if v6 else
                            ("192.0.2.%d" % (16 * p.w + 9), p.v4_local[0]))
            spec = [prefix, "via", gw, "dev", dev] + rng.choice(([], ["onlink"]))
        else:
            other = rng.choice(p.devs)
            spec = [prefix, "table", table, "nexthop", "dev", dev, "nexthop", "dev", other]
        if form != "multipath" and (table != "main" or form != "local"):
            spec += ["table", table]
        op = self.one("route", "add", ip + ["route", verb] + spec)
        # ip exits at once on a nexthop device it cannot find
        op.batchable = form != "multipath"
        return op

    # -- neigh --
    def gen_neigh(self):
        op = self.gen_neigh_op()
        # ip exits at once when the kernel refuses a neighbour change
        op.batchable = False
        return op

    def gen_neigh_op(self):
        rng, p = self.rng, self.p
        ns, dev = self.target()
        ip = ["ip"]
        sub = rng.choices(("add", "del", "flush", "show"), (5, 2, 1, 1))[0]
        a = p.v6(rng) if rng.random() < 0.4 else p.v4(rng)
        if sub == "flush":
            return self.one("neigh", "flush", ip + ["neigh", "flush", "dev", dev])
        if sub == "show":
            return self.one("neigh", "show", ip + ["-s", "neigh", "show", "dev", dev])
        if sub == "del":
            return self.one("neigh", "del", ip + ["neigh", "del", a, "dev", dev])
        if rng.random() < 0.15:
            return self.one("neigh", "add", ip + ["neigh", "add", "proxy", a, "dev", dev])
        argv = ip + ["neigh", rng.choice(("add", "replace", "change")), a]
        if rng.random() < 0.85:
            argv += ["lladdr", rng.choice(MACS)]
        argv += ["dev", dev, "nud", rng.choice(("permanent", "reachable", "stale",
                                                  "noarp", "probe", "delay"))]
        return self.one("neigh", "add", argv)

    # -- netns --
    def gen_netns(self):
        rng, p = self.rng, self.p
        ns = rng.choice(p.namespaces[1:])
        # A deleted netns stays away for the rest of the round: mostly
        # deleted and made again.
        sub = rng.choices(("add", "del", "busy-del", "readd", "sysctl"), (2, 1, 3, 2, 3))[0]
        add = [(None, ["ip", "netns", "add", ns], None), (ns, ["ip", "link", "set", "lo", "up"], None)]
        if sub == "add":
            return Op("netns", "add", add)
        if sub == "del":
            return Op("netns", "del", [(None, ["ip", "netns", "del", ns], None)])
        if sub == "readd":
            return Op("netns", "readd", [(None, ["ip", "netns", "del", ns], None)] + add)
        if sub == "sysctl":
            # Namespace-wide knobs only in our own namespaces, and none
            # that changes lo (all.disable_ipv6 would take its ::1).
            dev = rng.choices(p.devs, p.dev_weights)[0]
            key = rng.choice(("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
                              "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.accept_local",
                              "net.ipv4.conf.all.route_localnet",
                              "net.ipv6.conf.default.accept_ra",
                              "net.ipv6.conf.%s.disable_ipv6" % dev,
                              "net.ipv6.conf.%s.accept_ra" % dev,
                              "net.ipv4.conf.%s.forwarding" % dev,
                              "net.ipv4.conf.%s.arp_ignore" % dev,
                              "net.ipv4.conf.%s.route_localnet" % dev))
            return Op("netns", "sysctl", [(ns, ["sysctl", "-q", "-w",
                                                "%s=%s" % (key, rng.choice(("0", "1", "2")))],
                                           None)])
        # Traffic running on an instance while its netns is deleted.
        dev = rng.choices(p.devs, p.dev_weights)[0]
        burst = self.burst_op(ns, dev)
        timeout = self.op_timeout

        def busy_del():
            burst.func()
            rc, _, err = run_cmd(["ip", "netns", "del", ns], timeout=timeout)
            run_cmd(["ip", "netns", "add", ns], timeout=timeout)
            run_cmd(["ip", "link", "set", "lo", "up"], timeout=timeout, ns=ns)
            return rc == 0, first_line(err)
        return Op("netns", "busy-del", func=busy_del,
                  desc="(%s) & ip netns del %s; ip netns add %s; ip -n %s link set lo up" %
                  (burst.desc, ns, ns, ns))

    # -- qdisc --
    def gen_qdisc(self):
        rng = self.rng
        ns, dev = self.target()
        tc = ["tc"]
        sub = rng.choices(("add", "del", "filter", "filter-del", "show"), (5, 3, 4, 1, 1))[0]
        if sub == "add":
            q = rng.choice((["clsact"], ["clsact"], ["ingress"], ["root", "prio"],
                            ["root", "handle", "1:", "prio", "bands", "3"],
                            ["root", "fq_codel"],
                            ["root", "tbf", "rate", "1mbit", "burst", rng.choice(("16k", "80k")),
                             "latency", "50ms"]))
            return self.one("qdisc", "add", tc + ["qdisc", rng.choice(("add", "add", "replace")),
                                                  "dev", dev] + q)
        if sub == "del":
            return self.one("qdisc", "del", tc + ["qdisc", "del", "dev", dev,
                                                  rng.choice(("root", "clsact", "ingress"))])
        if sub == "show":
            return self.one("qdisc", "show", tc + ["-s", rng.choice(("qdisc", "class")),
                                                   "show", "dev", dev])
        parent = rng.choice((["ingress"], ["egress"], ["ingress"], ["parent", "1:"]))
        self.hooked = (self.hooked + [(ns, dev)])[-3:]
        if sub == "filter-del":
            return self.one("qdisc", "filter-del", tc + ["filter", "del", "dev", dev] + parent)
        match = rng.choice((["basic", "match", "meta(pkt_type eq %d)" % rng.randrange(8)],
                            ["basic"], ["basic", "match", "meta(protocol eq 0x88b5)"]))
        action = ["action", rng.choice(("pass", "continue", "ok", "drop", "pipe"))]
        return self.one("qdisc", "filter", tc + ["filter", "add", "dev", dev] + parent +
                        ["protocol", rng.choice(("all", "ip", "ipv6", "arp", "0x88b5")),
                         "pref", str(rng.randint(1, 5))] + match + action)

    # -- nft --
    def gen_nft(self):
        rng, p = self.rng, self.p
        ns, dev = self.target()
        table = "%s%d" % (NFT_TABLE, p.w)
        self.hooked = (self.hooked + [(ns, dev)])[-3:]
        # nft is the slowest command here (seconds under emulation):
        # mostly the hooks that frames meet.
        sub = rng.choices(("ingress", "egress", "inet", "ip", "delete", "list"),
                          (8, 2, 2, 1, 1, 1))[0]
        if sub == "ip" and ns is None:
            # A prerouting chain would see all of this netns's traffic,
            # the host's own when run by hand: only in our namespaces.
            sub = "ingress"
        nft = ["nft", "-f", "-"]
        if sub == "delete":
            what = rng.choice(("delete table netdev %s", "delete table inet %s",
                               "flush table netdev %s", "reset counters table netdev %s"))
            return self.one("nft", "delete", ["nft"] + (what % table).split())
        if sub == "list":
            return self.one("nft", "list", ["nft", "list", "table",
                                            rng.choice(("netdev", "inet")), table])
        rules = []
        if rng.random() < 0.5:
            rules.append("meta pkttype %s counter" % rng.choice(("host", "broadcast",
                                                                 "multicast", "other")))
        for _ in range(rng.randint(1, 5)):
            rules.append(rng.choice((
                "meta pkttype host counter", "meta pkttype broadcast counter",
                "meta pkttype multicast counter", "meta pkttype other counter",
                "meta pkttype host counter", "counter", "ether type arp counter",
                "meta protocol ip counter", "meta protocol ip6 counter",
                "meta l4proto udp counter", "udp dport 9 counter",
                "ether daddr ff:ff:ff:ff:ff:ff counter", "meta pkttype set host",
                "meta pkttype set other", "meta mark set 1", "vlan id 5 counter",
                "meta iiftype loopback counter", "drop")))
        if sub == "ip":
            # not bound to a device: prerouting sees what was looped
            chain = "pre"
            hook = "type filter hook prerouting priority %d;" % rng.choice((-300, 0))
            family = "inet"
            rules = [r for r in rules if not r.startswith(("ether", "vlan", "meta protocol"))] \
                or ["counter"]
        else:
            family = "inet" if sub == "inet" else "netdev"
            direction = "egress" if sub == "egress" else "ingress"
            prio = rng.choice((-500, -100, 0, 100))
            chain = "%s_%s_%d" % (direction[:2], dev, abs(prio))
            if sub == "inet":
                rules = [r for r in rules if not r.startswith(("ether", "vlan", "meta protocol"))] \
                    or ["meta pkttype host counter"]
            hook = 'type filter hook %s device "%s" priority %d;' % (direction, dev, prio)
            if rng.random() < 0.15 and sub != "inet":
                other = rng.choice(p.devs)
                hook = 'type filter hook %s devices = { "%s", "%s" } priority 0;' % (
                    direction, dev, other)
        script = "add table %s %s\n" % (family, table)
        script += "add chain %s %s %s { %s }\n" % (family, table, chain, hook)
        for r in rules:
            script += "add rule %s %s %s %s\n" % (family, table, chain, r)
        if sub == "ip" or rng.random() < 0.5:
            return self.one("nft", sub, nft, stdin=script)
        # Often frames through the new hook at once: a hook and the
        # frames it cannot handle (a looped non-IP frame marked
        # PACKET_LOOPBACK under "meta pkttype") meet rarely otherwise.
        frames = [rand_frame(rng, p) for _ in range(rng.randint(2, 6))]
        ons = self.ns
        timeout = self.op_timeout

        def hook_and_frames():
            rc, _, err = run_cmd(nft, script, timeout, ons)
            if rc != 0:
                return False, first_line(err)
            send_frames(ons, dev, frames, 1, False)
            return True, ""
        return Op("nft", sub + "+frames", func=hook_and_frames,
                  desc="%s <<< %s; %d raw frames on %s: %s" % (
                      " ".join(as_typed(ons, nft)), json.dumps(script), len(frames), dev,
                      " ".join(f[:18].hex() for f in frames)))

    # -- frames --
    def burst_op(self, ns, dev):
        """A child that sends frames and datagrams on dev for a while,
        in the background; the worker reaps it."""
        rng = self.rng
        frames = [rand_frame(rng, self.p) for _ in range(rng.randint(2, 8))]
        secs = rng.choice((0.3, 1.0, 2.0))
        spawn = self.burst

        def func():
            return spawn(ns, dev, frames, secs)
        return Op("frames", "burst", func=func,
                  desc="burst of %d frames for %.1fs on %s in %s" % (len(frames), secs, dev,
                                                                     ns or "."))

    def gen_frames(self):
        """Frames, often onto an instance that got a hook lately: what
        the hooks make of a frame is where this driver differs from lo
        (README, "hooks that run before the driver takes the mark off")."""
        rng, p = self.rng, self.p
        ns, dev = self.target()
        if self.hooked and rng.random() < 0.5:
            ns, dev = rng.choice(self.hooked)
        where = "%s in %s" % (dev, ns or ".")
        sub = rng.choices(("raw", "dgram", "udp", "tcp", "burst"), (10, 2, 5, 1, 2))[0]
        if sub == "raw":
            frames = [rand_frame(rng, p) for _ in range(rng.randint(1, 6))]
            copies = rng.choice((1, 1, 2, 10))
            bypass = rng.random() < 0.2
            devs = [dev] if rng.random() < 0.5 else p.devs
            where = "%s in %s" % (",".join(devs), ns or ".")

            def raw():
                res = [send_frames(ns, d, frames, copies, bypass) for d in devs]
                return any(ok for ok, _ in res), "" if any(ok for ok, _ in res) else res[0][1]
            return Op("frames", "raw", func=raw,
                      desc="%d raw frames x%d%s on %s: %s" % (
                          len(frames), copies, " bypass" if bypass else "", where,
                          " ".join(f[:18].hex() for f in frames)))
        if sub == "dgram":
            proto = rng.choice((0x0800, 0x86DD, 0x0806, ETH_P_MLO_TEST, 0x8100))
            dst = rand_mac(rng)
            frames = [rng.randbytes(rng.choice((0, 1, 20, 46, 1500, 65536)))]
            return Op("frames", "dgram",
                      func=lambda: send_frames(ns, dev, frames, 1, False, (proto, dst)),
                      desc="SOCK_DGRAM %04x to %s, %d bytes on %s" % (
                          proto, dst.hex(), len(frames[0]), where))
        if sub == "burst":
            return self.burst_op(ns, dev)
        v6 = rng.random() < 0.4
        family = socket.AF_INET6 if v6 else socket.AF_INET
        dst = p.v6(rng) if v6 else p.v4(rng)
        if sub == "tcp":
            port = rng.choice((22, 80, 9))
            return Op("frames", "tcp", func=lambda: tcp_connect(ns, dev, family, dst, port),
                      desc="TCP connect to %s port %d from %s" % (dst, port, where))
        port = rng.choice((9, 7, 53, rng.randrange(1, 65536)))
        size = rng.choice((0, 1, 100, 1232, 1452, 1472, 1473, 8000, 65507))
        count = rng.choice((1, 1, 5, 20))
        ttl = rng.choice((1, 2, 64, 255))
        return Op("frames", "udp",
                  func=lambda: send_udp(ns, dev, family, dst, port, size, count, ttl),
                  desc="%d UDP x %d bytes to %s port %d ttl %d from %s" % (
                      count, size, dst, port, ttl, where))


# ---- workers ------------------------------------------------------------

class Worker:
    def __init__(self, args, w, rnd, cpu, deadline, logfd):
        self.args = args
        self.w = w
        self.rnd = rnd
        self.cpu = cpu
        self.deadline = deadline
        self.logfd = logfd
        self.stats = {}
        self.failures = []
        self.children = []

    def log(self, text):
        if self.logfd is not None:
            os.write(self.logfd, ("%7.1f %s\n" % (time.monotonic() - self.args.t0, text)).encode())

    def count(self, kind, sub, ok, reason):
        k = self.stats.setdefault(kind, {"ok": 0, "refused": 0, "subs": {}, "why": {}})
        k["ok" if ok else "refused"] += 1
        s = k["subs"].setdefault(sub, [0, 0])
        s[0 if ok else 1] += 1
        if not ok and reason:
            why = re.sub(r"\b(fz|mlo)\S*|\d+", "N", reason)[:80]
            k["why"][why] = k["why"].get(why, 0) + 1

    def spawn_burst(self, ns, dev, frames, secs):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                end = time.monotonic() + secs
                while time.monotonic() < end:
                    send_frames(ns, dev, frames, 1, False)
                    time.sleep(0.01)
            except BaseException:
                code = 1
            os._exit(code)
        self.children.append((pid, time.monotonic() + secs))
        return True, ""

    def reap(self, block):
        left = []
        for pid, end in self.children:
            limit = end + self.args.op_timeout
            while True:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done or not block:
                    break
                if time.monotonic() > limit:
                    raise Hung("burst %d on %s still running %ds after its end" %
                               (pid, self.w, self.args.op_timeout))
                time.sleep(0.05)
            if not done:
                left.append((pid, end))
        self.children = left

    def execute_batch(self, op, tag):
        """Run a batch; count, log and check each of its operations.
        ip reports a failed line as "Command failed -:N" after what it
        said about it; a line that succeeded says nothing."""
        ns, argv, script = op.cmds[0]
        rc, out, err = run_cmd(argv, script, self.args.op_timeout, ns)
        if rc < 0:
            raise RuntimeError("ip killed by signal %d: %s" % (-rc, first_line(err)))
        said = {}
        buf = []
        for line in err.splitlines():
            m = re.match(r"Command failed -:(\d+)$", line)
            if m:
                said[int(m.group(1))] = first_line("\n".join(buf)) or "failed"
                buf = []
            else:
                buf.append(line)
        last = max(said) if said else 0
        for i, part in enumerate(op.parts, 1):
            if i in said:
                ok, reason = False, said[i]
            elif rc not in (0, 1) and i > last:
                # ip gave up on the batch: this line or an earlier one
                ok, reason = False, "batch ended: %s" % (first_line("\n".join(buf)) or rc)
            else:
                ok, reason = True, ""
            bad = part.oracle(0 if ok else 1, out, reason) if part.oracle and \
                not reason.startswith("batch ended") else None
            ptag = "%s.%d %s %s" % (tag, i, part.kind, part.sub)
            self.count(part.kind, part.sub, ok, reason)
            self.log("%s: %s => %s" % (ptag, part.text(), "ok" if ok else "refused: " + reason))
            if bad:
                self.failures.append("%s: %s: %s" % (ptag, part.text(), bad))
        return len(op.parts)

    def execute(self, op):
        if op.func:
            ok, reason = op.func()
            return ok, reason, None
        rc, out, err = 0, "", ""
        for ns, argv, stdin in op.cmds:
            rc, out, err = run_cmd(argv, stdin, self.args.op_timeout, ns)
            if rc < 0:
                raise RuntimeError("%s killed by signal %d: %s" % (argv[0], -rc, first_line(err)))
            if rc != 0:
                break
        bad = op.oracle(rc, out, err) if op.oracle else None
        return rc == 0, first_line(err) or ("exit %d" % rc if rc else ""), bad

    def run(self):
        os.sched_setaffinity(0, {self.cpu})
        rng = random.Random("%d-%d-%d" % (self.args.seed, self.rnd, self.w))
        gen = Generator(rng, Pools(self.args.prefix, self.w),
                        shutil.which("ethtool") is not None, self.spawn_burst,
                        self.args.op_timeout)
        n = 0
        ops = 0
        first = gen.prologue()
        while True:
            if self.args.ops and n >= self.args.ops:
                break
            if self.deadline and time.monotonic() >= self.deadline:
                break
            n += 1
            op = first.pop(0) if first else gen.next()
            if op.parts is not None:
                try:
                    ops += self.execute_batch(op, "r%d w%d #%d" % (self.rnd, self.w, n))
                except Hung as e:
                    self.failures.append("r%d w%d #%d: %s" % (self.rnd, self.w, n, e))
                    self.log("r%d w%d #%d: %s => HUNG" % (self.rnd, self.w, n, op.text()))
                    break
                if len(self.failures) >= 5:
                    break
                self.reap(False)
                continue
            ops += 1
            tag = "r%d w%d #%d %s %s" % (self.rnd, self.w, n, op.kind, op.sub)
            try:
                ok, reason, bad = self.execute(op)
            except Hung as e:
                self.failures.append("%s: %s" % (tag, e))
                self.log("%s: %s => HUNG" % (tag, op.text()))
                break
            self.count(op.kind, op.sub, ok, reason)
            self.log("%s: %s => %s" % (tag, op.text(), "ok" if ok else "refused: " + reason))
            if bad:
                self.failures.append("%s: %s: %s" % (tag, op.text(), bad))
                if len(self.failures) >= 5:
                    break
            self.reap(False)
        try:
            self.reap(True)
        except Hung as e:
            self.failures.append("r%d w%d: %s" % (self.rnd, self.w, e))
        return n, ops


def start_worker(args, w, rnd, cpu, deadline, logfd):
    """Fork worker w; its result comes back as JSON through a pipe."""
    r, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            worker = Worker(args, w, rnd, cpu, deadline, logfd)
            steps, ops = worker.run()
            result = {"steps": steps, "ops": ops, "stats": worker.stats,
                      "failures": worker.failures}
        except BaseException:
            result = {"error": traceback.format_exc()}
            code = 2
        os.write(wr, json.dumps(result).encode())
        os._exit(code)
    os.close(wr)
    return pid, r


def collect(pid, fd, limit):
    """A worker's result, or an error after limit seconds."""
    data = b""
    end = time.monotonic() + limit
    while True:
        left = end - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.close(fd)
            return {"error": "worker %d did not finish in time" % pid}
        if select.select([fd], [], [], min(left, 1.0))[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    os.close(fd)
    os.waitpid(pid, 0)
    try:
        return json.loads(data)
    except ValueError:
        return {"error": "worker %d died without a result" % pid}


# ---- the parent: rounds and the module ----------------------------------

class KernelLog:
    """New /dev/kmsg records since the last look, matched against BAD_LOG."""

    def __init__(self):
        try:
            self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError:
            self.fd = None

    def bad(self):
        found = []
        while self.fd is not None:
            try:
                rec = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                break
            except BrokenPipeError:
                continue          # overwritten before we read it
            msg = rec.split(";", 1)[-1].splitlines()[0] if ";" in rec else rec
            if BAD_LOG.search(msg):
                found.append(msg.strip())
        return found


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.prng = random.Random("%d-parent" % args.seed)
        self.stats = {}
        self.failures = []
        self.klog = KernelLog()
        self.logfd = None
        if args.log:
            self.logfd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC,
                                 0o644)

    def log(self, text):
        if self.logfd is not None:
            os.write(self.logfd, ("%7.1f %s\n" % (time.monotonic() - self.args.t0, text)).encode())

    def count(self, kind, sub, ok, reason=""):
        k = self.stats.setdefault(kind, {"ok": 0, "refused": 0, "subs": {}, "why": {}})
        k["ok" if ok else "refused"] += 1
        s = k["subs"].setdefault(sub, [0, 0])
        s[0 if ok else 1] += 1
        if not ok and reason:
            k["why"][reason] = k["why"].get(reason, 0) + 1

    def merge(self, stats):
        for kind, k in stats.items():
            m = self.stats.setdefault(kind, {"ok": 0, "refused": 0, "subs": {}, "why": {}})
            m["ok"] += k["ok"]
            m["refused"] += k["refused"]
            for sub, (a, b) in k["subs"].items():
                s = m["subs"].setdefault(sub, [0, 0])
                s[0] += a
                s[1] += b
            for why, n in k["why"].items():
                m["why"][why] = m["why"].get(why, 0) + n

    def module(self, verb, k=0):
        """rmmod or load; True when it worked. A hang is a failure."""
        if verb == "rmmod":
            argv = ["rmmod", "mlo"]
        elif self.args.ko:
            argv = ["insmod", self.args.ko, "numdevs=%d" % k]
        else:
            argv = ["modprobe", "mlo", "numdevs=%d" % k]
        rc, out, err = run_cmd(argv, timeout=self.args.op_timeout * 2)
        self.count("module", verb if verb == "rmmod" else "load", rc == 0, first_line(err))
        self.log("module: %s => %s" % (" ".join(argv), "ok" if rc == 0 else first_line(err)))
        return rc == 0, first_line(err)

    def check_after_unload(self, rnd):
        """After a quiet rmmod: no mlo device anywhere, lo as before."""
        t = self.args.op_timeout
        if os.path.isdir("/sys/module/mlo"):
            self.failures.append("round %d: mlo still loaded after rmmod" % rnd)
        for ns in [None] + netns_list(self.args.prefix):
            found = links(ns, t)
            if found is None:
                continue            # deleted meanwhile
            left = [name for name, (kind, _, _) in found.items() if kind == "mlo"]
            if left:
                self.failures.append("round %d: %s left in %s after rmmod" %
                                     (rnd, " ".join(left), ns or "this netns"))
            want = self.lo_init if ns is None else self.lo_fresh
            if found.get("lo") != want:
                self.failures.append("round %d: lo in %s is %s, expected %s" %
                                     (rnd, ns or "this netns", found.get("lo"), want))

    def namespaces_back(self):
        """The workers' namespaces, those deleted in the last round made
        again, so that every round starts with all of them."""
        t = self.args.op_timeout
        have = set(netns_list(self.args.prefix))
        for w in range(self.args.workers):
            for ns in Pools(self.args.prefix, w).namespaces[1:]:
                if ns not in have:
                    run_cmd(["ip", "netns", "add", ns], timeout=t)
                    run_cmd(["ip", "link", "set", "lo", "up"], timeout=t, ns=ns)

    def setup(self):
        t = self.args.op_timeout
        probe = "%s-probe" % self.args.prefix
        run_cmd(["ip", "netns", "add", probe], timeout=t)
        run_cmd(["ip", "link", "set", "lo", "up"], timeout=t, ns=probe)
        self.lo_fresh = (links(probe, t) or {}).get("lo")
        run_cmd(["ip", "netns", "del", probe], timeout=t)
        self.lo_init = (links(None, t) or {}).get("lo")
        if os.path.isdir("/sys/module/mlo"):
            ok, why = self.module("rmmod")
            if not ok:
                raise RuntimeError("mlo is loaded and rmmod failed: " + why)
        ok, why = self.module("load", self.prng.choice((0, 1, 2, 3)))
        if not ok:
            raise RuntimeError("cannot load mlo: " + why)

    def run(self):
        a = self.args
        cpus = sorted(os.sched_getaffinity(0))
        start = time.monotonic()
        end = start + a.seconds if a.seconds else None
        # Rounds of a quarter of the time, at least 15 s and at most a
        # minute: each costs an unload and load, a few seconds under
        # emulation, and starts again from few instances.
        round_len = a.round_seconds or (min(60.0, max(15.0, a.seconds / 4))
                                        if a.seconds else None)
        self.setup()
        rnd = 0
        rounds_done = 0
        total_ops = 0
        while not self.failures:
            rnd += 1
            if a.rounds and rnd > a.rounds:
                break
            now = time.monotonic()
            if end and now >= end:
                break
            self.namespaces_back()
            now = time.monotonic()
            deadline = min(end, now + round_len) if end else None
            hot = self.prng.random() < 0.3
            hot_at = self.prng.uniform(0.2, 0.8)
            numdevs = self.prng.choice((0, 0, 1, 2, 3))
            workers = [start_worker(a, w, rnd, cpus[w % len(cpus)], deadline, self.logfd)
                       for w in range(a.workers)]
            note = "quiet reload"
            if hot:
                # Unload while the workers run: EBUSY, and ip link add
                # loading the module again by itself, are both fine.
                wait = (deadline - now) * hot_at if deadline else 1.0
                time.sleep(wait)
                ok, why = self.module("rmmod")
                note = "rmmod at %.1fs while running: %s" % (wait, "ok" if ok else why)
                self.module("load", numdevs)
            limit = (deadline - time.monotonic() if deadline else 0) + \
                (a.ops or 0) * a.op_timeout + 2 * a.op_timeout + 30
            results = [collect(pid, fd, limit) for pid, fd in workers]
            rounds_done += 1
            ops = []
            for w, res in enumerate(results):
                if "error" in res:
                    raise RuntimeError("worker %d: %s" % (w, res["error"]))
                self.merge(res["stats"])
                self.failures += res["failures"]
                ops.append("w%d %d in %d steps" % (w, res["ops"], res["steps"]))
                total_ops += res["ops"]
            if not self.failures and not (end and time.monotonic() >= end) and \
                    not (a.rounds and rnd >= a.rounds):
                ok, why = self.module("rmmod")
                if not ok:
                    self.failures.append("round %d: rmmod mlo failed: %s" % (rnd, why))
                else:
                    self.check_after_unload(rnd)
                    self.module("load", numdevs)
            else:
                note += "; state kept"
            print("# round %d: numdevs=%d, %s; ops %s" % (rnd, numdevs, note, ", ".join(ops)),
                  flush=True)
            self.log("round %d done" % rnd)
            for line in self.klog.bad():
                self.failures.append("round %d: kernel log: %s" % (rnd, line))
        elapsed = time.monotonic() - start
        for kind in KINDS + ("module",):
            k = self.stats.get(kind, {"ok": 0, "refused": 0, "subs": {}, "why": {}})
            print("# %s: %d ok, %d refused" % (kind, k["ok"], k["refused"]))
            if a.verbose and k["subs"]:
                print("#   " + ", ".join("%s %d/%d" % (s, v[0], v[1])
                                         for s, v in sorted(k["subs"].items())))
                for why, n in sorted(k["why"].items(), key=lambda x: -x[1])[:6]:
                    print("#     %5d  %s" % (n, why))
        print("# %d operations in %d rounds, %.0fs" % (total_ops, rounds_done, elapsed))
        if a.all_kinds:
            # Ten refusals in a row are no accident: a tool or a kernel
            # feature is missing, and the fuzzer tests nothing there.
            # Those for a device that is not there are: the fuzzer names
            # absent ones on purpose, and on a slow kernel (6.12-rt) a
            # kind's few operations all did so once.
            for kind in KINDS:
                k = self.stats.get(kind, {"ok": 0, "refused": 0, "why": {}})
                other = k["refused"] - sum(n for why, n in k.get("why", {}).items()
                                           if NO_DEVICE.search(why))
                if k["ok"] == 0 and other >= 10:
                    self.failures.append("none of %d %s operations succeeded (%d "
                                         "refused with the device there)" %
                                         (k["refused"], kind, other))
        for f in self.failures:
            print("# FAIL: " + f)
        if self.failures:
            print("# replay: " + replay_command(a.seed))
        return 1 if self.failures else 0


def replay_command(seed):
    """This run's command line with its seed, random or not."""
    argv = [os.path.basename(sys.argv[0]), "--seed", str(seed)]
    skip = False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
        elif arg == "--seed":
            skip = True
        elif not arg.startswith("--seed="):
            argv.append(arg)
    return " ".join(argv)


# ---- after the run: counters and cleanup --------------------------------

def link_stats(ns, timeout):
    """{name: (tx packets, tx bytes, rx packets, rx bytes, rx dropped)}
    of every device in ns."""
    rc, out, err = run_cmd(["ip", "-j", "-s", "link", "show"], timeout=timeout, ns=ns)
    if rc != 0:
        return {}
    stats = {}
    for dev in json.loads(out):
        s = dev["stats64"]
        stats[dev["ifname"]] = (s["tx"]["packets"], s["tx"]["bytes"], s["rx"]["packets"],
                                s["rx"]["bytes"], s["rx"]["dropped"])
    return stats


def delete_nft_tables(ns, workers, timeout):
    """The fuzzer's nft tables in ns gone, in one transaction: adding a
    table that exists is no error, so add-then-delete always works."""
    script = ""
    for w in range(max(workers, 4)):
        for family in ("netdev", "inet"):
            script += "add table %s %s%d\ndelete table %s %s%d\n" % (
                family, NFT_TABLE, w, family, NFT_TABLE, w)
    rc, _, err = run_cmd(["nft", "-f", "-"], script, timeout, ns)
    return rc == 0, first_line(err)


def counters(args):
    """Every instance, taken back to a plain state, counts exactly what
    it is sent: N raw frames of an ethertype nothing takes (tx, rx and
    rx_dropped, 46 bytes each without the Ethernet header) and N UDP
    datagrams routed out of it (tx and rx, 60 bytes each); and lo in
    each netns is as in a new one. A handful of commands per netns,
    not per instance: they cost seconds each under emulation."""
    t = args.op_timeout
    n = args.counters
    failures = []
    checked = 0
    probe = "%s-probe" % args.prefix
    run_cmd(["ip", "netns", "add", probe], timeout=t)
    run_cmd(["ip", "link", "set", "lo", "up"], timeout=t, ns=probe)
    lo_fresh = (links(probe, t) or {}).get("lo")
    run_cmd(["ip", "netns", "del", probe], timeout=t)
    frame = bytes(12) + struct.pack("!H", ETH_P_MLO_TEST) + b"mlo-fuzz-counters"
    frame += bytes(60 - len(frame))
    # A kernel built without nf_tables has no tables to delete.
    have_nft = shutil.which("nft") and run_cmd(["nft", "list", "tables"], timeout=t)[0] == 0
    for ns in [None] + netns_list(args.prefix):
        here = ns or "this netns"
        ok, why = delete_nft_tables(ns, args.workers, t) if have_nft else (True, "")
        if not ok:
            failures.append("%s: nft tables not deleted: %s" % (here, why))
        found = links(ns, t) or {}
        if ns and found.get("lo") != lo_fresh:
            failures.append("%s: lo is %s, expected %s" % (here, found.get("lo"), lo_fresh))
        devs = [name for name, (kind, _, _) in found.items() if kind == "mlo"] + ["fzq"]
        ip = ["link add fzq type mlo"]
        tc = []
        for i, dev in enumerate(devs, 1):
            ip += ["link set %s up carrier on mtu 65536" % dev,
                   "addr replace 198.18.255.%d/32 dev %s" % (i, dev),
                   "route replace 198.18.254.%d/32 dev %s src 198.18.255.%d" % (i, dev, i)]
            tc += ["qdisc del dev %s root" % dev, "qdisc del dev %s clsact" % dev]
        rc, _, err = run_cmd(["ip", "-force", "-batch", "-"], "\n".join(ip) + "\n", t, ns)
        if rc != 0:
            failures.append("%s: taking the instances to a plain state: %s" %
                            (here, first_line(err)))
        # Most instances have no qdisc to delete: errors expected.
        run_cmd(["tc", "-force", "-batch", "-"], "\n".join(tc) + "\n", t, ns)
        # Let what coming up set off (IPv6 reports and the like) pass.
        time.sleep(1)
        before = link_stats(ns, t)
        sent = {}
        for i, dev in enumerate(devs, 1):
            sent[dev] = (send_frames(ns, dev, [frame], n, False),
                         send_udp(ns, dev, socket.AF_INET, "198.18.254.%d" % i, 9, 32, n, 1))
        time.sleep(0.5)
        after = link_stats(ns, t)
        want = (2 * n, n * 46 + n * 60, 2 * n, n * 46 + n * 60, n)
        for dev in devs:
            where = "%s in %s" % (dev, ns or ".")
            (ok1, why1), (ok2, why2) = sent[dev]
            if dev not in before or dev not in after or not ok1 or not ok2:
                failures.append("%s: could not send or read counters (%s %s)" %
                                (where, why1, why2))
                continue
            got = tuple(b - a for a, b in zip(before[dev], after[dev]))
            checked += 1
            print("# %s: tx %d/%d B, rx %d/%d B, rx_dropped %d" % ((where,) + got))
            if got != want:
                failures.append("%s: tx, tx bytes, rx, rx bytes, rx_dropped moved by %s, "
                                "expected %s" % (where, got, want))
    print("# %d instances checked" % checked)
    for f in failures:
        print("# FAIL: " + f)
    return 1 if failures or not checked else 0


def cleanup(args):
    """What outlives the instances: the namespaces, and in this netns
    the fuzzer's nft tables, rules and routes. In three ip batches: a
    command costs a second or more on the debug kernel."""
    t = args.op_timeout
    workers = max(args.workers, 4)
    names = netns_list(args.prefix)
    if names:
        run_cmd(["ip", "-force", "-batch", "-"],
                "".join("netns del %s\n" % ns for ns in names), t)
    if shutil.which("nft") and run_cmd(["nft", "list", "tables"], timeout=t)[0] == 0:
        delete_nft_tables(None, workers, t)
    for fam in ("-4", "-6"):
        lines = []
        for w in range(workers):
            p = Pools(args.prefix, w)
            # a rule may be there several times, with other selectors
            for pref in range(RULE_PREF + 10 * w, RULE_PREF + 10 * w + 4):
                lines += ["rule del pref %d" % pref] * 4
            for prefix in p.v4_prefixes if fam == "-4" else p.v6_prefixes:
                lines.append("route flush root %s" % prefix)
        lines += ["route flush table %s" % table for table in TABLES[1:]]
        run_cmd(["ip", fam, "-force", "-batch", "-"], "\n".join(lines) + "\n", t)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--round-seconds", type=float, default=0)
    ap.add_argument("--ops", type=int, default=0)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--prefix", default="mlofz")
    ap.add_argument("--log")
    ap.add_argument("--ko", default=os.environ.get("MLO_KO") or None)
    ap.add_argument("--op-timeout", type=int, default=60)
    ap.add_argument("--all-kinds", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--counters", type=int, default=0)
    ap.add_argument("--cleanup", action="store_true")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    args.t0 = time.monotonic()

    if args.counters:
        return counters(args)
    if args.cleanup:
        return cleanup(args)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2 ** 32)
    if not args.seconds and not args.ops:
        ap.error("give --seconds or --ops")
    if args.ops and not args.seconds and not args.rounds:
        args.rounds = 1
    print("# seed %d" % args.seed, flush=True)
    if args.dry_run:
        # The operations a run with this seed does, without doing them.
        for rnd in range(1, (args.rounds or 1) + 1):
            for w in range(args.workers):
                rng = random.Random("%d-%d-%d" % (args.seed, rnd, w))
                gen = Generator(rng, Pools(args.prefix, w), True, lambda *x: (True, ""))
                first = gen.prologue()
                for n in range(1, (args.ops or 20) + 1):
                    op = first.pop(0) if first else gen.next()
                    for i, part in enumerate(op.parts or [], 1):
                        print("r%d w%d #%d.%d %s %s: %s" % (rnd, w, n, i, part.kind, part.sub,
                                                           part.text()))
                    if op.parts is None:
                        print("r%d w%d #%d %s %s: %s" % (rnd, w, n, op.kind, op.sub, op.text()))
        return 0
    print("# %d workers, %s; the operations of each worker and round follow from the "
          "seed, their interleaving and where a round's time ends do not" %
          (args.workers, "%gs" % args.seconds if args.seconds else "%d rounds of %d ops" %
           (args.rounds, args.ops)), flush=True)
    try:
        return Fuzzer(args).run()
    except (Hung, RuntimeError) as e:
        print("# FAIL: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
