// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlo: extra loopback-style network devices.
 *
 * An mlo device looks like lo (IFF_LOOPBACK, ARPHRD_LOOPBACK, 64 KiB MTU,
 * no queue, no ARP) and hands every packet it transmits back to itself,
 * but it owns none of the per-netns state the kernel ties to the one real
 * loopback, net->loopback_dev:
 *
 * - IFF_LOOPBACK is set only after register_netdevice() and cleared again
 *   by the first NETDEV_UNREGISTER handler. ip6_route_dev_notify() points
 *   the netns's IPv6 null/prohibit/blackhole entries at whichever
 *   IFF_LOOPBACK device sends NETDEV_REGISTER and drops their inet6_dev
 *   references on its NETDEV_UNREGISTER; those entries belong to lo.
 * - Moving to another netns, which sends both events again, is refused as
 *   it is for lo.
 * - 127.0.0.0/8 and ::1 are refused on mlo devices through the address
 *   validator chains, so bringing one up does not give it a second copy
 *   of lo's addresses and local routes.
 * - Packet taps see a looped IP packet once: on its way out. The receive
 *   half is marked PACKET_LOOPBACK, which af_packet ignores, and given its
 *   own type back by an rx_handler that runs after the taps (as vrf does).
 *   Other frames are seen twice, as every frame is on lo.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "mlo.h"

#define MLO_MTU		(64 * 1024)

#define MLO_FEATURES	(NETIF_F_SG | NETIF_F_FRAGLIST |		\
			 NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM |	\
			 NETIF_F_RXCSUM | NETIF_F_SCTP_CRC |		\
			 NETIF_F_HIGHDMA | NETIF_F_VLAN_CHALLENGED |	\
			 NETIF_F_LOOPBACK)

/* What a user may turn off: everything the stack can do in software
 * before handing the packet over.
 */
#define MLO_HW_FEATURES	(NETIF_F_SG | NETIF_F_FRAGLIST |		\
			 NETIF_F_GSO_SOFTWARE | NETIF_F_HW_CSUM |	\
			 NETIF_F_RXCSUM | NETIF_F_SCTP_CRC)

static int numdevs;
module_param(numdevs, int, 0444);
MODULE_PARM_DESC(numdevs, "Number of mlo devices to create at load (0-"
		 __stringify(MLO_MAX_NUMDEVS) ", default 0)");

static const struct net_device_ops mlo_netdev_ops;
static struct rtnl_link_ops mlo_link_ops;

static bool netif_is_mlo(const struct net_device *dev)
{
	return dev->netdev_ops == &mlo_netdev_ops;
}

/*
 * Whether the receive half of a looped packet is marked PACKET_LOOPBACK,
 * so that af_packet skips it. Only IPv4 and IPv6, as vrf and
 * dev_loopback_xmit() do: tc, netfilter's netdev ingress hook and XDP see
 * the mark before mlo_handle_frame() removes it, and nft's meta pkttype
 * knows PACKET_LOOPBACK for those two protocols only (it warns on any
 * other). A frame for another host stays PACKET_OTHERHOST, as on lo.
 */
static bool mlo_mark_looped(const struct sk_buff *skb)
{
	if (skb->pkt_type == PACKET_OTHERHOST)
		return false;

	return skb->protocol == htons(ETH_P_IP) ||
	       skb->protocol == htons(ETH_P_IPV6);
}

static netdev_tx_t mlo_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct mlo_priv *priv = netdev_priv(dev);
	struct mlo_pcpu_stats *stats = this_cpu_ptr(priv->stats);
	unsigned int len;
	int ret;

	skb_tx_timestamp(skb);

	/* do not fool net_timestamp_check() with various clock bases */
	skb_clear_tstamp(skb);

	skb_orphan(skb);

	/* The dst goes up with the packet (netif_keep_dst), so it must
	 * hold a reference of its own once queued to the backlog.
	 */
	skb_dst_force(skb);

	skb->protocol = eth_type_trans(skb, dev);

	/* Taps already saw this packet in dev_queue_xmit_nit(). */
	if (mlo_mark_looped(skb))
		skb->pkt_type = PACKET_LOOPBACK;

	len = skb->len;
	ret = __netif_rx(skb);

	/* A packet __netif_rx() drops is counted in rx_dropped by the core. */
	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&stats->tx_packets);
	u64_stats_add(&stats->tx_bytes, len);
	if (likely(ret == NET_RX_SUCCESS)) {
		u64_stats_inc(&stats->rx_packets);
		u64_stats_add(&stats->rx_bytes, len);
	}
	u64_stats_update_end(&stats->syncp);

	return NETDEV_TX_OK;
}

static rx_handler_result_t mlo_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;

	/* Past the taps: give the stack the type eth_type_trans() found. */
	if (skb->pkt_type == PACKET_LOOPBACK) {
		skb->pkt_type = PACKET_HOST;
		eth_skb_pkt_type(skb, skb->dev);
	}

	return RX_HANDLER_PASS;
}

static void mlo_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *stats)
{
	struct mlo_priv *priv = netdev_priv(dev);
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct mlo_pcpu_stats *s = per_cpu_ptr(priv->stats, cpu);
		u64 tx_packets, tx_bytes, rx_packets, rx_bytes;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			tx_packets = u64_stats_read(&s->tx_packets);
			tx_bytes = u64_stats_read(&s->tx_bytes);
			rx_packets = u64_stats_read(&s->rx_packets);
			rx_bytes = u64_stats_read(&s->rx_bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		stats->tx_packets += tx_packets;
		stats->tx_bytes += tx_bytes;
		stats->rx_packets += rx_packets;
		stats->rx_bytes += rx_bytes;
	}
}

static int mlo_change_carrier(struct net_device *dev, bool new_carrier)
{
	if (new_carrier)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	return 0;
}

static int mlo_dev_init(struct net_device *dev)
{
	struct mlo_priv *priv = netdev_priv(dev);
	int err;

	priv->stats = netdev_alloc_pcpu_stats(struct mlo_pcpu_stats);
	if (!priv->stats)
		return -ENOMEM;

	err = netdev_rx_handler_register(dev, mlo_handle_frame, NULL);
	if (err) {
		free_percpu(priv->stats);
		priv->stats = NULL;
		return err;
	}

	return 0;
}

static void mlo_dev_uninit(struct net_device *dev)
{
	/* Not netdev_rx_handler_unregister(): its synchronize_net() would
	 * cost one grace period per device, so rmmod of N instances would
	 * wait for N of them. None is needed here: the device is closed
	 * and unlisted, and the core waits for a grace period after
	 * ndo_uninit of the whole batch, before the device or this module
	 * can go. A reader still holding the old handler runs mlo code on
	 * an skb only; one seeing NULL passes a PACKET_LOOPBACK skb on, as
	 * IP accepts it.
	 */
	RCU_INIT_POINTER(dev->rx_handler, NULL);
}

/* The stats stay until the last reference is gone, as lo's do: a
 * dev_get_stats() caller may still hold one after ndo_uninit.
 */
static void mlo_dev_free(struct net_device *dev)
{
	struct mlo_priv *priv = netdev_priv(dev);

	free_percpu(priv->stats);
}

static const struct net_device_ops mlo_netdev_ops = {
	.ndo_init		= mlo_dev_init,
	.ndo_uninit		= mlo_dev_uninit,
	.ndo_start_xmit		= mlo_xmit,
	.ndo_get_stats64	= mlo_get_stats64,
	.ndo_change_carrier	= mlo_change_carrier,
};

static void mlo_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	strscpy(info->driver, MLO_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, MLO_VERSION, sizeof(info->version));
}

static const struct ethtool_ops mlo_ethtool_ops = {
	.get_drvinfo		= mlo_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= ethtool_op_get_ts_info,
};

/* eth_header_ops, which lo uses, is not exported to modules. */
static const struct header_ops mlo_header_ops = {
	.create			= eth_header,
	.parse			= eth_header_parse,
	.cache			= eth_header_cache,
	.cache_update		= eth_header_cache_update,
	.parse_protocol		= eth_header_parse_protocol,
};

VISIBLE_IF_KUNIT void mlo_setup(struct net_device *dev)
{
	dev->mtu		= MLO_MTU;
	/* Below 68 IPv4 leaves the device; above 64 KiB no IP packet fits. */
	dev->min_mtu		= ETH_MIN_MTU;
	dev->max_mtu		= MLO_MTU;
	dev->hard_header_len	= ETH_HLEN;
	dev->min_header_len	= ETH_HLEN;
	dev->addr_len		= ETH_ALEN;
	dev->type		= ARPHRD_LOOPBACK;
	/* IFF_LOOPBACK comes with registration: see mlo_register() */
	dev->flags		= 0;
	/* netpoll would transmit, and so call __netif_rx(), with interrupts
	 * disabled; lo has the same flaw.
	 */
	dev->priv_flags		|= IFF_NO_QUEUE | IFF_DISABLE_NETPOLL;
	mlo_set_lltx(dev);
	mlo_set_netns_immutable(dev);
	netif_keep_dst(dev);
	dev->hw_features	= MLO_HW_FEATURES;
	dev->features		|= MLO_FEATURES;
	dev->ethtool_ops	= &mlo_ethtool_ops;
	dev->header_ops		= &mlo_header_ops;
	dev->netdev_ops		= &mlo_netdev_ops;
	dev->needs_free_netdev	= true;
	dev->priv_destructor	= mlo_dev_free;

	netif_set_tso_max_size(dev, GSO_MAX_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(mlo_setup);

static int mlo_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "Invalid link address length");
			return -EINVAL;
		}
		if (!is_zero_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "mlo link address is always 00:00:00:00:00:00");
			return -EADDRNOTAVAIL;
		}
	}

	/* As lo's: eth_type_trans() and IPv6's multicast neighbours use it.
	 * ("ip link set ... broadcast" has no driver hook to refuse it.)
	 */
	if (tb[IFLA_BROADCAST] &&
	    (nla_len(tb[IFLA_BROADCAST]) != ETH_ALEN ||
	     !is_zero_ether_addr(nla_data(tb[IFLA_BROADCAST])))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_BROADCAST],
				    "mlo broadcast address is always 00:00:00:00:00:00");
		return -EADDRNOTAVAIL;
	}

	/* An instance has no lower device, so no netns of one. Kernels
	 * before 6.15 would create it there and fail to move it; later ones
	 * would ignore the attribute.
	 */
	if (tb[IFLA_LINK_NETNSID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK_NETNSID],
				    "mlo devices have no link netns");
		return -EINVAL;
	}

	/* With no maxtype the core would ignore IFLA_INFO_DATA silently. */
	if (tb[IFLA_LINKINFO] &&
	    nla_find_nested(tb[IFLA_LINKINFO], IFLA_INFO_DATA)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINKINFO],
				    "mlo takes no device-specific attributes");
		return -EINVAL;
	}

	return 0;
}

static int mlo_register(struct net_device *dev)
{
	struct in_device *in_dev;
	int err;

	err = register_netdevice(dev);
	if (err)
		return err;

	/* Only now: NETDEV_REGISTER has been seen by ip6_route_dev_notify(). */
	WRITE_ONCE(dev->flags, dev->flags | IFF_LOOPBACK);

	/* What inetdev_event() gives a loopback at NETDEV_REGISTER: traffic
	 * that never leaves the host skips IPsec policy, as on lo.
	 */
	in_dev = __in_dev_get_rtnl(dev);
	if (in_dev) {
		IN_DEV_CONF_SET(in_dev, NOXFRM, 1);
		IN_DEV_CONF_SET(in_dev, NOPOLICY, 1);
	}
	return 0;
}

static int mlo_newlink(struct net_device *dev,
		       struct rtnl_newlink_params *params,
		       struct netlink_ext_ack *extack)
{
	return mlo_register(dev);
}

MLO_NEWLINK_ADAPTER(mlo_newlink);

static struct rtnl_link_ops mlo_link_ops __read_mostly = {
	.kind			= MLO_DRV_NAME,
	.priv_size		= sizeof(struct mlo_priv),
	.setup			= mlo_setup,
	.validate		= mlo_validate,
	.newlink		= MLO_NEWLINK(mlo_newlink),
};

/* IFF_LOOPBACK goes just before NETDEV_UNREGISTER reaches
 * ip6_route_dev_notify() (see mlo_register()), on every way a device is
 * unregistered, and no earlier: the device is closed first, so routing
 * daemons see it go down still a loopback. RTM_DELLINK, built after the
 * NETDEV_UNREGISTER handlers, carries the flags without it.
 */
static int mlo_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_UNREGISTER && netif_is_mlo(dev))
		WRITE_ONCE(dev->flags, dev->flags & ~IFF_LOOPBACK);
	return NOTIFY_DONE;
}

static struct notifier_block mlo_netdev_nb = {
	.notifier_call		= mlo_netdev_event,
	/* Before every other NETDEV_UNREGISTER handler. */
	.priority		= INT_MAX,
};

static int mlo_inetaddr_validate(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct in_validator_info *ivi = ptr;

	if (!netif_is_mlo(ivi->ivi_dev->dev) ||
	    !ipv4_is_loopback(ivi->ivi_addr))
		return NOTIFY_DONE;

	NL_SET_ERR_MSG(ivi->extack, "127.0.0.0/8 belongs to lo, not to mlo devices");
	return notifier_from_errno(-EADDRNOTAVAIL);
}

static struct notifier_block mlo_inetaddr_nb = {
	.notifier_call		= mlo_inetaddr_validate,
};

static int mlo_inet6addr_validate(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct in6_validator_info *i6vi = ptr;

	if (!netif_is_mlo(i6vi->i6vi_dev->dev) ||
	    !ipv6_addr_loopback(&i6vi->i6vi_addr))
		return NOTIFY_DONE;

	NL_SET_ERR_MSG(i6vi->extack, "::1 belongs to lo, not to mlo devices");
	return notifier_from_errno(-EADDRNOTAVAIL);
}

static struct notifier_block mlo_inet6addr_nb = {
	.notifier_call		= mlo_inet6addr_validate,
};

static int __init mlo_init_one(void)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct mlo_priv), MLO_DRV_NAME "%d",
			   NET_NAME_ENUM, mlo_setup);
	if (!dev)
		return -ENOMEM;

	dev->rtnl_link_ops = &mlo_link_ops;
	/* Hold the first RTM_NEWLINK until IFF_LOOPBACK is set, as newlink does. */
	mlo_set_link_initializing(dev);
	err = mlo_register(dev);
	if (err < 0) {
		free_netdev(dev);
		return err;
	}
	return mlo_rtnl_configure_link(dev, NULL, 0, NULL);
}

static int __init mlo_init_module(void)
{
	int i, err;

	if (numdevs < 0 || numdevs > MLO_MAX_NUMDEVS) {
		pr_err("numdevs=%d is out of range 0-%d\n",
		       numdevs, MLO_MAX_NUMDEVS);
		return -EINVAL;
	}

	err = register_inetaddr_validator_notifier(&mlo_inetaddr_nb);
	if (err)
		return err;
	err = register_inet6addr_validator_notifier(&mlo_inet6addr_nb);
	if (err)
		goto err_inet6;

	err = register_netdevice_notifier(&mlo_netdev_nb);
	if (err)
		goto err_netdev;
	err = rtnl_link_register(&mlo_link_ops);
	if (err < 0)
		goto err_link;

	rtnl_lock();
	for (i = 0; i < numdevs && !err; i++) {
		err = mlo_init_one();
		cond_resched();
	}
	rtnl_unlock();

	if (!err)
		return 0;

	/* Also unregisters the devices made so far. */
	rtnl_link_unregister(&mlo_link_ops);
err_link:
	unregister_netdevice_notifier(&mlo_netdev_nb);
err_netdev:
	unregister_inet6addr_validator_notifier(&mlo_inet6addr_nb);
err_inet6:
	unregister_inetaddr_validator_notifier(&mlo_inetaddr_nb);
	return err;
}

static void __exit mlo_cleanup_module(void)
{
	rtnl_link_unregister(&mlo_link_ops);
	unregister_netdevice_notifier(&mlo_netdev_nb);
	unregister_inet6addr_validator_notifier(&mlo_inet6addr_nb);
	unregister_inetaddr_validator_notifier(&mlo_inetaddr_nb);
}

module_init(mlo_init_module);
module_exit(mlo_cleanup_module);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mlo authors");
MODULE_DESCRIPTION("Extra loopback-style network devices");
MODULE_VERSION(MLO_VERSION);
MODULE_ALIAS_RTNL_LINK(MLO_DRV_NAME);
