#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small tools the mlo selftests need and iproute2 does not offer.

  mlo_util.py taps DEV COUNT [--ethertype HEX] [--no-proto] [--bypass]
      Send COUNT frames of an ethertype (default 0x88b5) on DEV from an
      AF_PACKET socket; read an ETH_P_ALL socket and a socket bound to
      the ethertype until each has COUNT frames or a second has passed,
      and print how many each got, with which packet types. With
      --no-proto no socket is bound to the ethertype; with --bypass the
      sender sets PACKET_QDISC_BYPASS, which skips the transmit taps.
  mlo_util.py udp DST PORT COUNT SIZE
      Send COUNT UDP datagrams of SIZE bytes to DST:PORT and count how
      many a socket bound to the wildcard address on PORT receives.
  mlo_util.py newlink [--name N] [--kind K] [--info-data] [--address HEX]
                      [--mtu N]
      Send one RTM_NEWLINK (create) and print the kernel's answer as
      "error=ERRNO msg=EXTACK"; exit 0 only if it succeeded.
  mlo_util.py failsweep NAME [--kind K] [--max N]
      For N = 1, 2, ...: send RTM_NEWLINK for NAME with the Nth fault-
      injectable allocation it makes failing (/proc/thread-self/fail-nth,
      set just before the send; when netlink's own buffers fail, ERRNO is
      that of the socket call) and print
          nth=N error=ERRNO injected=yes|no created=yes|no msg=EXTACK
      until a request made fewer than N allocations (injected=no) or
      --max (default 2000) is reached. Each request names its instance
      NAME<N>, and what was created is kept: deleting each at once
      costs every step an RCU grace period, which on a debug kernel
      under emulation is most of the sweep's time; the caller deletes
      them together. One process for the whole sweep: such a kernel
      also takes seconds to start each python.
  mlo_util.py flood DST PORT [--dev DEV] [--count N] [--seconds S]
                    [--rate PPS] [--size BYTES]
      Send UDP datagrams to DST:PORT (IPv4 or IPv6), from a socket bound
      to DEV with SO_BINDTODEVICE when given, until COUNT are sent,
      SECONDS have passed or SIGTERM comes. A failed send (the device is
      gone) is counted and retried after a pause. Print "sent=N errors=M".
  mlo_util.py hold DEV ADDR PORT [--connect DST] [--seconds S]
      Bind a UDP socket to DEV (SO_BINDTODEVICE) and ADDR:PORT; with
      --connect, connect it to DST:PORT and send one datagram, so it
      caches a route through DEV. Print "bound" and keep the socket open
      until SECONDS have passed or SIGTERM comes; then print "closed".
  mlo_util.py setns DEV NETNS_FILE
      Ask the kernel (RTM_NEWLINK with IFLA_NET_NS_FD) to move DEV to the
      netns NETNS_FILE refers to (/run/netns/X, /proc/PID/ns/net); print
      the answer as "error=ERRNO msg=EXTACK"; exit 0 only if it succeeded.
  mlo_util.py frames DEV SPEC... [--count N] [--seconds S]
      Send raw frames on DEV from an AF_PACKET socket, each SPEC
      (KIND@DST-MAC) COUNT times (default 1), or round after round for
      SECONDS. KIND: ipv4, ipv6 (UDP to a multicast address when the
      destination MAC is multicast, else to a unicast one), arp (a
      request), 88b5 (a local experimental ethertype), vlan (802.1Q, VID
      5, carrying 88b5), short (ethertype IPv4 but only 4 bytes of
      header: 18 bytes in all), runt (13 bytes: shorter than an Ethernet
      header, af_packet refuses it). Print "sent=N refused=M".
  mlo_util.py sniff DEV [--seconds S] [--send SPEC...]
      Count the frames an ETH_P_ALL socket bound to DEV sees, by
      ethertype and packet type; with --send, first send the frames
      SPEC... (as frames does) from another socket; print "ready" once
      listening (and sent), then,
      after SECONDS (default 60) or on SIGTERM, "ETHERTYPE:TYPE=N ..."
      sorted, or "none".
  mlo_util.py tstamp DEV DST PORT
      What ethtool -T announces, end to end: send one UDP datagram to
      DST:PORT (IPv4) from a socket bound to DEV that asks for software
      transmit timestamps (SOF_TIMESTAMPING_TX_SOFTWARE, which only the
      driver's skb_tx_timestamp() gives), while an ETH_P_ALL socket bound
      to DEV asks for software receive timestamps. Print "tx=N rx=M
      late=K": the transmit and receive timestamps read within a second
      whose time lies between just before the send and just after, and
      those outside that window.
  mlo_util.py xdppin PREFIX
      Load two two-instruction XDP programs, returning XDP_PASS and
      XDP_DROP (no compiler: the bytecode is written out here), and pin
      them in bpffs at PREFIX-pass and PREFIX-drop. Print "pass=ID
      drop=ID", their program ids.
"""

import argparse
import ctypes
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_MLO_TEST = 0x88B5
SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20

PACKET_TYPES = {0: "host", 1: "broadcast", 2: "multicast", 3: "otherhost",
                4: "outgoing", 5: "loopback"}


def cmd_taps(args):
    tag = b"mlo-selftest-%d" % os.getpid()
    want = struct.pack("!H", args.ethertype) + tag
    socks = {}
    every = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    every.bind((args.dev, ETH_P_ALL))
    socks["all"] = every
    if not args.no_proto:
        proto = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(args.ethertype))
        proto.bind((args.dev, args.ethertype))
        socks["proto"] = proto
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    if args.bypass:
        sender.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    sender.bind((args.dev, 0))

    frame = bytes(6) + bytes(6) + want
    frame += bytes(max(0, 60 - len(frame)))
    for _ in range(args.count):
        sender.send(frame)

    seen = {name: [] for name in socks}
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and \
            any(len(v) < args.count for v in seen.values()):
        r, _, _ = select.select(list(socks.values()), [], [],
                                max(0, deadline - time.monotonic()))
        for name, sock in socks.items():
            if sock in r:
                data, addr = sock.recvfrom(65535)
                if data[12:14 + len(tag)] == want:
                    seen[name].append(PACKET_TYPES.get(addr[2], str(addr[2])))
    # Anything beyond COUNT (a second copy) arrives right after.
    r = True
    while r:
        r, _, _ = select.select(list(socks.values()), [], [], 0.2)
        for name, sock in socks.items():
            if sock in r:
                data, addr = sock.recvfrom(65535)
                if data[12:14 + len(tag)] == want:
                    seen[name].append(PACKET_TYPES.get(addr[2], str(addr[2])))
    out = ["ethertype=%04x" % args.ethertype]
    for name in ("all", "proto"):
        if name in seen:
            out.append("%s=%d" % (name, len(seen[name])))
            out.append("%s_types=%s" % (name, ",".join(sorted(set(seen[name]))) or "-"))
    print(" ".join(out))
    return 0


def cmd_udp(args):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    rx.bind(("0.0.0.0", args.port))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes(args.size)
    got = 0
    for _ in range(args.count):
        tx.sendto(payload, (args.dst, args.port))
        # Keep the receive queue short so nothing is dropped for space.
        while select.select([rx], [], [], 0)[0]:
            rx.recv(65535)
            got += 1
    deadline = time.monotonic() + 1.0
    while got < args.count and time.monotonic() < deadline:
        if select.select([rx], [], [], 0.1)[0]:
            rx.recv(65535)
            got += 1
    print("sent=%d received=%d" % (args.count, got))
    return 0 if got == args.count else 1


# rtnetlink, just enough for RTM_NEWLINK
NETLINK_ROUTE = 0
RTM_NEWLINK = 16
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLMSG_ERROR = 2
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_MTU = 4
IFLA_LINKINFO = 18
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2


def nla(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + bytes((4 - length % 4) % 4)


def cmd_newlink(args):
    attrs = b""
    if args.name is not None:
        attrs += nla(IFLA_IFNAME, args.name.encode() + b"\0")
    if args.mtu is not None:
        attrs += nla(IFLA_MTU, struct.pack("=I", args.mtu))
    if args.address is not None:
        attrs += nla(IFLA_ADDRESS, bytes.fromhex(args.address.replace(":", "")))
    info = nla(IFLA_INFO_KIND, args.kind.encode() + b"\0")
    if args.info_data:
        info += nla(IFLA_INFO_DATA, nla(1, struct.pack("=I", 1)))
    attrs += nla(IFLA_LINKINFO, info)

    ifinfo = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    body = ifinfo + attrs
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    msg = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, flags, 1, 0) + body

    error, text = nl_ack(msg)
    if error is None:
        print("error=%s" % text)
        return 1
    print("error=%d msg=%s" % (error, text))
    return 0 if error == 0 else 1


def newlink_msg(name, kind):
    attrs = nla(IFLA_IFNAME, name.encode() + b"\0")
    attrs += nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, kind.encode() + b"\0"))
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) + attrs
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, flags, 1, 0) + body


def cmd_failsweep(args):
    for nth in range(1, args.max + 1):
        name = "%s%d" % (args.name, nth)
        error, text, injected = nl_ack_fail_nth(newlink_msg(name, args.kind), nth)
        try:
            socket.if_nametoindex(name)
            created = "yes"
        except OSError:
            created = "no"
        print("nth=%d error=%s%s created=%s msg=%s" %
              (nth, error, injected, created, text), flush=True)
        if injected.endswith("=no"):
            return 0
    return 1


def nl_ack_fail_nth(msg, nth):
    """nl_ack() with the nth fault-injectable allocation failing."""
    sock = nl_socket()
    # An ack lost without an error must not hang the sweep.
    sock.settimeout(30)
    fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    try:
        os.write(fd, b"%d" % nth)
        sock.send(msg)
        reply = sock.recv(65535)
        error, text = parse_ack(msg, reply)
    except socket.timeout:
        error, text = None, "no answer within 30 s"
    except OSError as e:
        error, text = -e.errno, "netlink: " + e.strerror
    finally:
        # Not yet counted down to zero: nothing was made to fail.
        left = int(os.pread(fd, 32, 0))
        os.write(fd, b"0")
        os.close(fd)
    return error, text, " injected=%s" % ("no" if left else "yes")


def sock_for(addr, dev):
    """A UDP socket of addr's family, bound to dev when dev is given."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if dev:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                        dev.encode())
    return sock


def stop_on_sigterm():
    """Return a list whose first item turns True on SIGTERM."""
    stop = [False]

    def handler(signum, frame):
        stop[0] = True
    signal.signal(signal.SIGTERM, handler)
    return stop


def cmd_flood(args):
    stop = stop_on_sigterm()
    sock = sock_for(args.dst, args.dev)
    payload = bytes(args.size)
    start = time.monotonic()
    deadline = start + args.seconds if args.seconds else None
    sent = errors = 0
    while not stop[0]:
        if args.count is not None and sent >= args.count:
            break
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            break
        try:
            sock.sendto(payload, (args.dst, args.port))
            sent += 1
        except OSError:
            errors += 1
            time.sleep(0.05)
            continue
        if args.rate and sent % 20 == 0:
            ahead = start + sent / args.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    print("sent=%d errors=%d" % (sent, errors), flush=True)
    return 0


def cmd_hold(args):
    stop = stop_on_sigterm()
    sock = sock_for(args.addr, args.dev)
    sock.bind((args.addr, args.port))
    if args.connect:
        sock.connect((args.connect, args.port))
        sock.send(b"mlo-hold")
    print("bound", flush=True)
    deadline = time.monotonic() + args.seconds
    while not stop[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    sock.close()
    print("closed", flush=True)
    return 0


RTM_SETLINK = 19
IFLA_NET_NS_FD = 28


def nl_socket():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(270, NETLINK_EXT_ACK, 1)  # SOL_NETLINK
    sock.bind((0, 0))
    return sock


def nl_ack(msg):
    """Send one request; return (errno, extack message) of its ack."""
    sock = nl_socket()
    sock.send(msg)
    return parse_ack(msg, sock.recv(65535))


def parse_ack(msg, reply):
    _, kind, rflags, _, _ = struct.unpack("=IHHII", reply[:16])
    if kind != NLMSG_ERROR:
        return None, "unexpected reply %d" % kind
    error = struct.unpack("=i", reply[16:20])[0]
    text = ""
    off = 20 + (16 if rflags & 0x100 else len(msg))
    while off + 4 <= len(reply):
        length, atype = struct.unpack("=HH", reply[off:off + 4])
        if length < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            text = reply[off + 4:off + length].rstrip(b"\0").decode()
        off += (length + 3) & ~3
    return error, text


def cmd_setns(args):
    ifindex = socket.if_nametoindex(args.dev)
    fd = os.open(args.netns, os.O_RDONLY)
    attrs = nla(IFLA_NET_NS_FD, struct.pack("=I", fd))
    ifinfo = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0)
    body = ifinfo + attrs
    msg = struct.pack("=IHHII", 16 + len(body), RTM_SETLINK,
                      NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
    error, text = nl_ack(msg)
    os.close(fd)
    print("error=%s msg=%s" % (error, text))
    return 0 if error == 0 else 1


def ip_checksum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    total = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame_for(kind, dst):
    """One Ethernet frame from 00:00:00:00:00:00 (an instance's address)."""
    mac = bytes.fromhex(dst.replace(":", ""))
    mcast = bool(mac[0] & 1) and mac != b"\xff" * 6
    head = mac + bytes(6)
    payload = b"mlo-selftest"
    if kind == "ipv4":
        daddr = socket.inet_aton("224.0.0.1" if mcast else "198.51.100.1")
        udp = struct.pack("!HHHH", 4000, 9, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                         socket.inet_aton("192.0.2.1"), daddr)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        frame = head + b"\x08\x00" + ip + udp
    elif kind == "ipv6":
        daddr = socket.inet_pton(socket.AF_INET6, "ff02::1" if mcast else "2001:db8::1")
        udp = struct.pack("!HHHH", 4000, 9, 8 + len(payload), 0) + payload
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64,
                         socket.inet_pton(socket.AF_INET6, "2001:db8::2"), daddr)
        frame = head + b"\x86\xdd" + ip + udp
    elif kind == "arp":
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes(6),
                          socket.inet_aton("192.0.2.1"), bytes(6),
                          socket.inet_aton("192.0.2.9"))
        frame = head + b"\x08\x06" + arp
    elif kind == "88b5":
        frame = head + b"\x88\xb5" + payload
    elif kind == "vlan":
        frame = head + b"\x81\x00" + struct.pack("!H", 5) + b"\x88\xb5" + payload
    elif kind == "short":
        return head + b"\x08\x00" + b"\x45\x00\x00\x14"
    elif kind == "runt":
        return head[:12] + b"\x08"
    else:
        raise SystemExit("frames: unknown kind %s" % kind)
    return frame + bytes(max(0, 60 - len(frame)))


def cmd_frames(args):
    stop = stop_on_sigterm()
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sender.bind((args.dev, 0))
    frames = []
    for spec in args.spec:
        kind, _, dst = spec.partition("@")
        frames.append(frame_for(kind, dst or "00:00:00:00:00:00"))
    sent = refused = 0
    deadline = time.monotonic() + args.seconds if args.seconds else None
    rounds = 0
    while not stop[0]:
        if deadline is None and rounds >= args.count:
            break
        if deadline is not None and time.monotonic() >= deadline:
            break
        rounds += 1
        for frame in frames:
            try:
                sender.send(frame)
                sent += 1
            except OSError:
                refused += 1
        if deadline is not None:
            time.sleep(0.001)
    print("sent=%d refused=%d" % (sent, refused), flush=True)
    return 0


def cmd_sniff(args):
    stop = stop_on_sigterm()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((args.dev, ETH_P_ALL))
    if args.send:
        sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        sender.bind((args.dev, 0))
        for spec in args.send:
            kind, _, dst = spec.partition("@")
            sender.send(frame_for(kind, dst or "00:00:00:00:00:00"))
    print("ready", flush=True)
    seen = {}
    deadline = time.monotonic() + args.seconds
    while not stop[0] and time.monotonic() < deadline:
        if not select.select([sock], [], [], 0.1)[0]:
            continue
        data, addr = sock.recvfrom(65535)
        key = "%s:%s" % (data[12:14].hex(), PACKET_TYPES.get(addr[2], str(addr[2])))
        seen[key] = seen.get(key, 0) + 1
    print(" ".join("%s=%d" % kv for kv in sorted(seen.items())) or "none", flush=True)
    return 0


SYS_BPF = 321  # x86_64
BPF_PROG_LOAD = 5
BPF_OBJ_PIN = 6
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_PROG_TYPE_XDP = 6
XDP_VERDICTS = {"drop": 1, "pass": 2}


def bpf(cmd, attr):
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(attr, len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    if ret < 0:
        err = ctypes.get_errno()
        raise SystemExit("bpf(%d): %s" % (cmd, os.strerror(err)))
    return ret


def xdp_pin(path, verdict):
    # r0 = verdict; exit
    insns = struct.pack("=BBhi", 0xB7, 0, 0, XDP_VERDICTS[verdict])
    insns += struct.pack("=BBhi", 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("=IIQQIIQII16sII", BPF_PROG_TYPE_XDP, 2,
                       ctypes.addressof(ibuf), ctypes.addressof(lic),
                       0, 0, 0, 0, 0, b"mlo_" + verdict.encode(), 0, 0)
    attr += bytes(128 - len(attr))
    fd = bpf(BPF_PROG_LOAD, attr)
    path = ctypes.create_string_buffer(path.encode())
    bpf(BPF_OBJ_PIN, struct.pack("=QII", ctypes.addressof(path), fd, 0) + bytes(8))
    # struct bpf_prog_info begins with type and id
    info = ctypes.create_string_buffer(256)
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("=IIQ", fd, 256, ctypes.addressof(info)))
    return struct.unpack("=II", info.raw[:8])[1]


def cmd_xdppin(args):
    print(" ".join("%s=%d" % (v, xdp_pin("%s-%s" % (args.prefix, v), v))
                   for v in ("pass", "drop")))
    return 0


SO_TIMESTAMPING = 37
SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1
SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3
SOF_TIMESTAMPING_SOFTWARE = 1 << 4
SOF_TIMESTAMPING_OPT_ID = 1 << 7
SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11
IP_RECVERR = 11
SO_EE_ORIGIN_TIMESTAMPING = 4
SCM_TSTAMP_SND = 0


def software_stamp(ancdata):
    """The software time (ns) of an SCM_TIMESTAMPING message, or None."""
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPING:
            sec, nsec = struct.unpack_from("=qq", data, 0)
            return sec * 1000000000 + nsec
    return None


def tx_stamp_kind(ancdata):
    """(origin, info) of the sock_extended_err carried with a stamp."""
    for level, kind, data in ancdata:
        if level == socket.SOL_IP and kind == IP_RECVERR:
            _, origin, _, _, _, info, _ = struct.unpack_from("=IBBBBII", data)
            return origin, info
    return None, None


def cmd_tstamp(args):
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                  SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE)
    rx.bind((args.dev, ETH_P_ALL))
    tx = sock_for(args.dst, args.dev)
    tx.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                  SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
                  SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY)
    tag = b"mlo-tstamp-%d" % os.getpid()

    before = time.time_ns()
    tx.sendto(tag, (args.dst, args.port))
    counts = {"tx": 0, "rx": 0, "late": 0}
    stamps = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        # A pending error queue makes the socket readable (POLLERR).
        r, _, _ = select.select([rx, tx], [], [], max(0, deadline - time.monotonic()))
        if tx in r:
            try:
                _, anc, _, _ = tx.recvmsg(0, 1024,
                                          socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            origin, info = tx_stamp_kind(anc)
            if origin == SO_EE_ORIGIN_TIMESTAMPING and info == SCM_TSTAMP_SND:
                stamps.append(("tx", software_stamp(anc)))
        if rx in r:
            data, anc, _, _ = rx.recvmsg(65535, 1024)
            if data.endswith(tag):
                stamps.append(("rx", software_stamp(anc)))
    after = time.time_ns()
    for kind, ns in stamps:
        if ns is not None and before <= ns <= after:
            counts[kind] += 1
        else:
            counts["late"] += 1
    print("tx=%(tx)d rx=%(rx)d late=%(late)d" % counts)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("taps")
    s.add_argument("dev")
    s.add_argument("count", type=int)
    s.add_argument("--ethertype", type=lambda x: int(x, 16), default=ETH_P_MLO_TEST)
    s.add_argument("--no-proto", action="store_true")
    s.add_argument("--bypass", action="store_true")
    s.set_defaults(func=cmd_taps)

    s = sub.add_parser("udp")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("count", type=int)
    s.add_argument("size", type=int)
    s.set_defaults(func=cmd_udp)

    s = sub.add_parser("newlink")
    s.add_argument("--name")
    s.add_argument("--kind", default="mlo")
    s.add_argument("--info-data", action="store_true")
    s.add_argument("--address")
    s.add_argument("--mtu", type=int)
    s.set_defaults(func=cmd_newlink)

    s = sub.add_parser("failsweep")
    s.add_argument("name")
    s.add_argument("--kind", default="mlo")
    s.add_argument("--max", type=int, default=2000)
    s.set_defaults(func=cmd_failsweep)

    s = sub.add_parser("flood")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--dev")
    s.add_argument("--count", type=int)
    s.add_argument("--seconds", type=float)
    s.add_argument("--rate", type=float)
    s.add_argument("--size", type=int, default=64)
    s.set_defaults(func=cmd_flood)

    s = sub.add_parser("hold")
    s.add_argument("dev")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    s.add_argument("--connect")
    s.add_argument("--seconds", type=float, default=120)
    s.set_defaults(func=cmd_hold)

    s = sub.add_parser("setns")
    s.add_argument("dev")
    s.add_argument("netns")
    s.set_defaults(func=cmd_setns)

    s = sub.add_parser("frames")
    s.add_argument("dev")
    s.add_argument("spec", nargs="+")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--seconds", type=float)
    s.set_defaults(func=cmd_frames)

    s = sub.add_parser("sniff")
    s.add_argument("dev")
    s.add_argument("--seconds", type=float, default=60)
    s.add_argument("--send", nargs="+", default=[])
    s.set_defaults(func=cmd_sniff)

    s = sub.add_parser("xdppin")
    s.add_argument("prefix")
    s.set_defaults(func=cmd_xdppin)

    s = sub.add_parser("tstamp")
    s.add_argument("dev")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.set_defaults(func=cmd_tstamp)

    args = p.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
