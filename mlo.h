/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared definitions and kernel compatibility for mlo.
 *
 * mlo.c is written against one kernel API, the newest kernel's, as
 * drivers/net/dummy.c would be. mlo supports kernels from 5.10 on, and
 * where their APIs differ, the difference is bridged here: a missing
 * function is supplied under its own name, a changed one gets an mlo_
 * helper. All of it is keyed on MLO_HAVE_* macros that Kbuild derives
 * from the headers it builds against, not on LINUX_VERSION_CODE:
 * stable kernels backport API changes (6.12.117 has
 * dev->netns_immutable, 6.12.0 did not; 6.1.168 has the four-argument
 * rtnl_configure_link(), 6.1.0 did not).
 */
#ifndef _MLO_H
#define _MLO_H

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>

/* <kunit/visibility.h> is there from 6.1.63 on; Kbuild builds no KUnit
 * tests without it.
 */
#ifdef MLO_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#define VISIBLE_IF_KUNIT		static
#endif

#define MLO_DRV_NAME	"mlo"
#define MLO_VERSION	"0.1.0"

/* Upper bound of the numdevs module parameter. */
#define MLO_MAX_NUMDEVS	1024

struct mlo_pcpu_stats {
	u64_stats_t		tx_packets;
	u64_stats_t		tx_bytes;
	u64_stats_t		rx_packets;
	u64_stats_t		rx_bytes;
	struct u64_stats_sync	syncp;
};

struct mlo_priv {
	struct mlo_pcpu_stats __percpu *stats;
};

/* For the KUnit tests in mlo_kunit.c; static without CONFIG_KUNIT. */
#if IS_ENABLED(CONFIG_KUNIT) && defined(MLO_HAVE_KUNIT_VISIBILITY)
void mlo_setup(struct net_device *dev);
#endif

/* MODULE_IMPORT_NS() takes a string from 6.13 on, a bare name before. */
#ifndef MLO_HAVE_IMPORT_NS_STRING
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

/* From 5.18 on __netif_rx() is for callers with BH disabled, such as
 * ndo_start_xmit, and netif_rx() for any context; before, netif_rx()
 * was the former.
 */
#ifndef MLO_HAVE___NETIF_RX
static inline int __netif_rx(struct sk_buff *skb)
{
	return netif_rx(skb);
}
#endif

/* skb_clear_tstamp() is there from 5.18 on; before, tstamp was all. */
#ifndef MLO_HAVE_SKB_CLEAR_TSTAMP
static inline void skb_clear_tstamp(struct sk_buff *skb)
{
	skb->tstamp = 0;
}
#endif

/* netif_set_tso_max_size() is there from 5.19 on; before, gso_max_size
 * was the only limit.
 */
#ifndef MLO_HAVE_NETIF_SET_TSO_MAX_SIZE
static inline void netif_set_tso_max_size(struct net_device *dev,
					  unsigned int size)
{
	netif_set_gso_max_size(dev, size);
}
#endif

/* rtnl_link_ops.newlink is (dev, params, extack) from 6.15 on,
 * (src_net, dev, tb, data, extack) before. mlo.c writes the new form,
 * MLO_NEWLINK_ADAPTER(fn) after fn, and .newlink = MLO_NEWLINK(fn).
 */
#ifdef MLO_HAVE_NEWLINK_PARAMS
#define MLO_NEWLINK(fn)			fn
#define MLO_NEWLINK_ADAPTER(fn)
#else
struct rtnl_newlink_params {
	struct net *src_net;
	struct net *link_net;
	struct net *peer_net;
	struct nlattr **tb;
	struct nlattr **data;
};

/* The old src_net is the link netns if one was given: the new form's
 * rtnl_newlink_link_net().
 */
#define MLO_NEWLINK(fn)			fn##_compat
#define MLO_NEWLINK_ADAPTER(fn)						\
static int fn##_compat(struct net *src_net, struct net_device *dev,	\
		       struct nlattr *tb[], struct nlattr *data[],	\
		       struct netlink_ext_ack *extack)			\
{									\
	struct rtnl_newlink_params params = {				\
		.src_net	= src_net,				\
		.tb		= tb,					\
		.data		= data,					\
	};								\
									\
	return fn(dev, &params, extack);				\
}
#endif

/* Hold back RTM_NEWLINK until rtnl_configure_link(), as newlink does:
 * dev->rtnl_link_initializing from 6.16 on, dev->rtnl_link_state before.
 */
static inline void mlo_set_link_initializing(struct net_device *dev)
{
#ifdef MLO_HAVE_RTNL_LINK_INITIALIZING
	dev->rtnl_link_initializing = true;
#else
	dev->rtnl_link_state = RTNL_LINK_INITIALIZING;
#endif
}

/* rtnl_configure_link() takes (dev, ifm, portid, nlh) from 6.3 and
 * 6.1.168 on, (dev, ifm) before.
 */
static inline int mlo_rtnl_configure_link(struct net_device *dev,
					  const struct ifinfomsg *ifm,
					  u32 portid,
					  const struct nlmsghdr *nlh)
{
#ifdef MLO_HAVE_CONFIGURE_LINK_NLH
	return rtnl_configure_link(dev, ifm, portid, nlh);
#else
	return rtnl_configure_link(dev, ifm);
#endif
}

/* Lockless transmit: a flag in dev->features up to 6.11, a bit in
 * struct net_device from 6.12 on.
 */
static inline void mlo_set_lltx(struct net_device *dev)
{
#ifdef MLO_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* Refuse moves to another netns: NETIF_F_NETNS_LOCAL up to 6.11,
 * dev->netns_local in 6.12.0, renamed dev->netns_immutable later and
 * backported to the 6.12 stable line.
 */
static inline void mlo_set_netns_immutable(struct net_device *dev)
{
#if defined(MLO_HAVE_DEV_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(MLO_HAVE_DEV_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/* Whether a move to another netns is refused, for the KUnit tests. */
static inline bool mlo_netns_is_immutable(const struct net_device *dev)
{
#if defined(MLO_HAVE_DEV_NETNS_IMMUTABLE)
	return dev->netns_immutable;
#elif defined(MLO_HAVE_DEV_NETNS_LOCAL)
	return dev->netns_local;
#else
	return dev->features & NETIF_F_NETNS_LOCAL;
#endif
}

static inline bool mlo_is_lltx(const struct net_device *dev)
{
#ifdef MLO_HAVE_DEV_LLTX
	return dev->lltx;
#else
	return dev->features & NETIF_F_LLTX;
#endif
}

#endif /* _MLO_H */
