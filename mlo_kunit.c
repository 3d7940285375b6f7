// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests for mlo: what the shell tests cannot see from user space.
 *
 * - The state mlo_setup() leaves before registration, in particular that
 *   IFF_LOOPBACK is not set yet: the whole design rests on it, and once
 *   the device is registered user space only ever sees the flag set.
 * - Stats summed over every possible CPU, including CPUs that are not
 *   online and values past 32 bits, which traffic from user space on a
 *   two-CPU guest cannot produce.
 * - Stats that stay allocated from ndo_uninit to the destructor.
 * - The rx_handler's packet type rewrite for each packet type and
 *   destination.
 *
 * Built only against kernels with CONFIG_KUNIT (the debug kernel); load
 * mlo.ko first, then this module, and read the results from the kernel
 * log or /sys/kernel/debug/kunit/mlo/results.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_packet.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "mlo.h"

static void mlo_kunit_free_netdev(void *dev)
{
	free_netdev(dev);
}

/* An unregistered mlo device, freed when the test ends. */
static struct net_device *mlo_kunit_alloc(struct kunit *test)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct mlo_priv), "mlokunit%d",
			   NET_NAME_ENUM, mlo_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	err = kunit_add_action_or_reset(test, mlo_kunit_free_netdev, dev);
	KUNIT_ASSERT_EQ(test, 0, err);
	return dev;
}

static void mlo_kunit_uninit(void *dev)
{
	struct net_device *ndev = dev;

	rtnl_lock();
	ndev->netdev_ops->ndo_uninit(ndev);
	rtnl_unlock();
	/* What netdev_run_todo() does before free_netdev(). */
	ndev->priv_destructor(ndev);
}

/* ndo_init as register_netdevice() calls it, undone when the test ends. */
static void mlo_kunit_init(struct kunit *test, struct net_device *dev)
{
	int err;

	rtnl_lock();
	err = dev->netdev_ops->ndo_init(dev);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, 0, err);
	err = kunit_add_action_or_reset(test, mlo_kunit_uninit, dev);
	KUNIT_ASSERT_EQ(test, 0, err);
}

static void mlo_setup_like_lo(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);

	KUNIT_EXPECT_EQ(test, ARPHRD_LOOPBACK, dev->type);
	KUNIT_EXPECT_EQ(test, 65536, dev->mtu);
	KUNIT_EXPECT_EQ(test, 68, dev->min_mtu);
	KUNIT_EXPECT_EQ(test, 65536, dev->max_mtu);
	KUNIT_EXPECT_EQ(test, 14, dev->hard_header_len);
	KUNIT_EXPECT_EQ(test, 14, dev->min_header_len);
	KUNIT_EXPECT_EQ(test, 6, dev->addr_len);
	KUNIT_EXPECT_TRUE(test, is_zero_ether_addr(dev->dev_addr));
	KUNIT_EXPECT_TRUE(test, dev->priv_flags & IFF_NO_QUEUE);
	KUNIT_EXPECT_TRUE(test, mlo_is_lltx(dev));
	KUNIT_EXPECT_TRUE(test, mlo_netns_is_immutable(dev));
	KUNIT_EXPECT_TRUE(test, dev->needs_free_netdev);
	KUNIT_EXPECT_NOT_NULL(test, dev->priv_destructor);
	KUNIT_EXPECT_NOT_NULL(test, dev->header_ops);
	KUNIT_EXPECT_PTR_EQ(test, (void *)eth_header,
			    (void *)dev->header_ops->create);
	KUNIT_EXPECT_EQ(test, GSO_MAX_SIZE, dev->tso_max_size);
}

/* Registration must not see IFF_LOOPBACK: see mlo_register(). */
static void mlo_setup_no_loopback_flag(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);

	KUNIT_EXPECT_EQ(test, 0U, dev->flags);
}

static void mlo_setup_features(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	netdev_features_t fixed = NETIF_F_LOOPBACK | NETIF_F_HIGHDMA |
				  NETIF_F_VLAN_CHALLENGED;
	netdev_features_t soft = NETIF_F_SG | NETIF_F_FRAGLIST |
				 NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM |
				 NETIF_F_RXCSUM | NETIF_F_SCTP_CRC;

	KUNIT_EXPECT_EQ(test, soft | fixed, dev->features & (soft | fixed));
	KUNIT_EXPECT_EQ(test, soft, dev->hw_features);
}

/* Distinct per-CPU values, some past 32 bits, on every possible CPU. */
static void mlo_stats_sum_possible_cpus(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	struct mlo_priv *priv = netdev_priv(dev);
	struct rtnl_link_stats64 stats = {};
	u64 tx_packets = 0, tx_bytes = 0, rx_packets = 0, rx_bytes = 0;
	int cpu;

	mlo_kunit_init(test, dev);
	/* A __percpu pointer: not for KUNIT_ASSERT_NOT_NULL() under sparse. */
	KUNIT_ASSERT_TRUE(test, priv->stats);

	for_each_possible_cpu(cpu) {
		struct mlo_pcpu_stats *s = per_cpu_ptr(priv->stats, cpu);
		u64 n = cpu + 1;

		u64_stats_add(&s->tx_packets, n);
		u64_stats_add(&s->tx_bytes, (n << 32) + 1500);
		u64_stats_add(&s->rx_packets, 2 * n);
		u64_stats_add(&s->rx_bytes, 60 * n);
		tx_packets += n;
		tx_bytes += (n << 32) + 1500;
		rx_packets += 2 * n;
		rx_bytes += 60 * n;
	}

	dev->netdev_ops->ndo_get_stats64(dev, &stats);
	KUNIT_EXPECT_EQ(test, tx_packets, stats.tx_packets);
	KUNIT_EXPECT_EQ(test, tx_bytes, stats.tx_bytes);
	KUNIT_EXPECT_EQ(test, rx_packets, stats.rx_packets);
	KUNIT_EXPECT_EQ(test, rx_bytes, stats.rx_bytes);
	/* The core owns the drop counters and adds them itself. */
	KUNIT_EXPECT_EQ(test, 0ULL, stats.rx_dropped);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.tx_dropped);
}

/* A fresh device counts nothing, whatever the per-cpu memory held. */
static void mlo_stats_start_at_zero(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	struct rtnl_link_stats64 stats = {};

	mlo_kunit_init(test, dev);
	dev->netdev_ops->ndo_get_stats64(dev, &stats);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.tx_packets);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.tx_bytes);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.rx_packets);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.rx_bytes);
}

/* ndo_init installs the handler and ndo_uninit removes it. */
static void mlo_rx_handler_lifetime(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	int err;

	KUNIT_EXPECT_NULL(test, rcu_access_pointer(dev->rx_handler));
	rtnl_lock();
	err = dev->netdev_ops->ndo_init(dev);
	KUNIT_EXPECT_EQ(test, 0, err);
	KUNIT_EXPECT_NOT_NULL(test, rtnl_dereference(dev->rx_handler));
	/* A second handler (a bridge port, a bond slave) is refused. */
	KUNIT_EXPECT_TRUE(test, netdev_is_rx_handler_busy(dev));
	dev->netdev_ops->ndo_uninit(dev);
	KUNIT_EXPECT_NULL(test, rtnl_dereference(dev->rx_handler));
	rtnl_unlock();
	dev->priv_destructor(dev);
}

/*
 * The stats outlive ndo_uninit: a dev_get_stats() caller may still hold
 * the device, and the destructor frees them, once. Had ndo_uninit freed
 * them, the percpu allocator, which hands out the lowest free area that
 * fits, would most likely give the same memory to the next allocation
 * of that size, as the destructor's second free_percpu() would silently
 * corrupt its books (percpu memory has no KASAN).
 */
static void mlo_stats_outlive_uninit(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	struct mlo_priv *priv = netdev_priv(dev);
	struct rtnl_link_stats64 stats = {};
	struct mlo_pcpu_stats __percpu *next;
	int err;

	rtnl_lock();
	err = dev->netdev_ops->ndo_init(dev);
	if (!err)
		dev->netdev_ops->ndo_uninit(dev);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, 0, err);

	next = netdev_alloc_pcpu_stats(struct mlo_pcpu_stats);
	KUNIT_EXPECT_NOT_NULL(test, (__force void *)next);
	KUNIT_EXPECT_NE(test, (__force unsigned long)priv->stats,
			(__force unsigned long)next);
	free_percpu(next);

	dev->netdev_ops->ndo_get_stats64(dev, &stats);
	KUNIT_EXPECT_EQ(test, 0ULL, stats.tx_packets);
	dev->priv_destructor(dev);
}

/* What the rx_handler makes of each packet type, by destination: a looped
 * packet gets the type eth_type_trans() gave it, the others are left as
 * they are. An mlo device's own and broadcast addresses are all zeroes,
 * as lo's are.
 */
static const struct {
	unsigned char in;
	u8 dest[ETH_ALEN];
	unsigned char out;
} mlo_pkt_types[] = {
	{ PACKET_LOOPBACK, { 0 }, PACKET_HOST },
	{ PACKET_LOOPBACK, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, PACKET_MULTICAST },
	{ PACKET_LOOPBACK, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, PACKET_MULTICAST },
	{ PACKET_LOOPBACK, { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, PACKET_OTHERHOST },
	{ PACKET_HOST, { 0 }, PACKET_HOST },
	{ PACKET_BROADCAST, { 0 }, PACKET_BROADCAST },
	{ PACKET_MULTICAST, { 0 }, PACKET_MULTICAST },
	{ PACKET_OTHERHOST, { 0 }, PACKET_OTHERHOST },
	{ PACKET_OUTGOING, { 0 }, PACKET_OUTGOING },
};

static void mlo_rx_handler_pkt_type(struct kunit *test)
{
	struct net_device *dev = mlo_kunit_alloc(test);
	rx_handler_func_t *handler;
	unsigned char pkt_type;
	int i;

	mlo_kunit_init(test, dev);
	handler = rcu_dereference_protected(dev->rx_handler, true);
	KUNIT_ASSERT_NOT_NULL(test, handler);

	for (i = 0; i < ARRAY_SIZE(mlo_pkt_types); i++) {
		struct sk_buff *skb = alloc_skb(ETH_HLEN, GFP_KERNEL);
		struct sk_buff *orig = skb;
		struct ethhdr *eth;

		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_reset_mac_header(skb);
		eth = skb_put_zero(skb, ETH_HLEN);
		ether_addr_copy(eth->h_dest, mlo_pkt_types[i].dest);
		skb_pull(skb, ETH_HLEN);
		skb->dev = dev;
		skb->pkt_type = mlo_pkt_types[i].in;
		KUNIT_EXPECT_EQ(test, RX_HANDLER_PASS, handler(&skb));
		KUNIT_EXPECT_PTR_EQ(test, orig, skb);
		pkt_type = skb->pkt_type;
		KUNIT_EXPECT_EQ_MSG(test, mlo_pkt_types[i].out, pkt_type,
				    "case %d: pkt_type %u to %pM", i,
				    mlo_pkt_types[i].in, mlo_pkt_types[i].dest);
		kfree_skb(skb);
	}
}

static struct kunit_case mlo_test_cases[] = {
	KUNIT_CASE(mlo_setup_like_lo),
	KUNIT_CASE(mlo_setup_no_loopback_flag),
	KUNIT_CASE(mlo_setup_features),
	KUNIT_CASE(mlo_stats_sum_possible_cpus),
	KUNIT_CASE(mlo_stats_start_at_zero),
	KUNIT_CASE(mlo_rx_handler_lifetime),
	KUNIT_CASE(mlo_stats_outlive_uninit),
	KUNIT_CASE(mlo_rx_handler_pkt_type),
	{}
};

static struct kunit_suite mlo_test_suite = {
	.name = "mlo",
	.test_cases = mlo_test_cases,
};

kunit_test_suite(mlo_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for mlo");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
