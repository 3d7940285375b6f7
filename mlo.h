/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared definitions and kernel compatibility for mlo.
 *
 * mlo.c is written against one kernel API. Where the kernels mlo
 * supports differ, the difference is bridged here, keyed on
 * MLO_HAVE_* macros that Kbuild derives from the headers it builds
 * against, not on LINUX_VERSION_CODE: stable kernels backport API
 * changes (6.12.117 has dev->netns_immutable, 6.12.0 did not).
 */
#ifndef _MLO_H
#define _MLO_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>

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
#if IS_ENABLED(CONFIG_KUNIT)
void mlo_setup(struct net_device *dev);
#endif

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
