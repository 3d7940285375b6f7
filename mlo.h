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

#define MLO_DRV_NAME	"mlo"
#define MLO_VERSION	"0.1.0"

/* Upper bound of the numdevs module parameter. */
#define MLO_MAX_NUMDEVS	1024

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

#endif /* _MLO_H */
