#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small tools the mlo selftests need and iproute2 does not offer.

  mlo_util.py packet DEV COUNT
      Send COUNT frames of ethertype 0x88b5 on DEV from an AF_PACKET
      socket; print how many an ETH_P_ALL socket and an 0x88b5 socket
      bound to DEV received, and with which packet types.
  mlo_util.py udp DST PORT COUNT SIZE
      Send COUNT UDP datagrams of SIZE bytes to DST:PORT and count how
      many a socket bound to the wildcard address on PORT receives.
  mlo_util.py newlink [--name N] [--kind K] [--info-data] [--address HEX]
                      [--mtu N]
      Send one RTM_NEWLINK (create) and print the kernel's answer as
      "error=ERRNO msg=EXTACK"; exit 0 only if it succeeded.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_MLO_TEST = 0x88B5

PACKET_TYPES = {0: "host", 1: "broadcast", 2: "multicast", 3: "otherhost",
                4: "outgoing", 5: "loopback"}


def drain(sock, deadline, want):
    """Read from sock until deadline; return the packet types seen."""
    seen = []
    while time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
        if not r:
            break
        data, addr = sock.recvfrom(65535)
        if data[12:14] == struct.pack("!H", ETH_P_MLO_TEST) and \
                data[14:14 + len(want)] == want:
            seen.append(PACKET_TYPES.get(addr[2], str(addr[2])))
    return seen


def cmd_packet(args):
    tag = b"mlo-selftest-%d" % os.getpid()
    every = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    every.bind((args.dev, ETH_P_ALL))
    proto = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_MLO_TEST))
    proto.bind((args.dev, ETH_P_MLO_TEST))
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sender.bind((args.dev, 0))

    frame = bytes(6) + bytes(6) + struct.pack("!H", ETH_P_MLO_TEST) + tag
    frame += bytes(max(0, 60 - len(frame)))
    for _ in range(args.count):
        sender.send(frame)

    deadline = time.monotonic() + 1.0
    all_seen = drain(every, deadline, tag)
    proto_seen = drain(proto, deadline, tag)
    print("all=%d proto=%d all_types=%s proto_types=%s" %
          (len(all_seen), len(proto_seen),
           ",".join(sorted(set(all_seen))) or "-",
           ",".join(sorted(set(proto_seen))) or "-"))
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

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(270, NETLINK_EXT_ACK, 1)  # SOL_NETLINK
    sock.bind((0, 0))
    sock.send(msg)
    reply = sock.recv(65535)
    _, kind, rflags, _, _ = struct.unpack("=IHHII", reply[:16])
    if kind != NLMSG_ERROR:
        print("error=unexpected reply %d" % kind)
        return 1
    error = struct.unpack("=i", reply[16:20])[0]
    text = ""
    # The request is echoed back unless NLM_F_CAPPED (0x100) is set.
    off = 20 + (16 if rflags & 0x100 else len(msg))
    while off + 4 <= len(reply):
        length, atype = struct.unpack("=HH", reply[off:off + 4])
        if length < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            text = reply[off + 4:off + length].rstrip(b"\0").decode()
        off += (length + 3) & ~3
    print("error=%d msg=%s" % (error, text))
    return 0 if error == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("packet")
    s.add_argument("dev")
    s.add_argument("count", type=int)
    s.set_defaults(func=cmd_packet)

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

    args = p.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
