// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Inbound capture: TC ingress on an enrolled pod's eth0 (a TCX link, or clsact where TCX is
 * missing). A new TCP connection (SYN without ACK) to the pod is handed to ztunnel's in-pod
 * listener with bpf_sk_assign: destination port 15008 to the HBONE listener, any other port to
 * the plaintext listener on 15006. The listener accepts a socket whose local address is the
 * original destination. Later packets of the flow match the accepted socket and pass untouched.
 * The program and its link are pinned, so they outlive ztunnel: a SYN to a pod that ztunnel has
 * enrolled (enrolled_pods) while no ztunnel listens is answered with a reset, never passed to the app. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mesh_bpf.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* the pod's IPv4 address, network order */
	__type(value, struct mesh_enrolled_pod);
} enrolled_pods SEC(".maps");

/* Turns the SYN into the RST+ACK the kernel would send for a closed port and sends it back out of
 * the interface it came in on: the client sees "connection refused" at once. */
static __always_inline int reset(struct __sk_buff *skb, struct ethhdr *eth, struct iphdr *ip, struct tcphdr *tcp)
{
	__u32 ip_off = sizeof(struct ethhdr);
	__u32 tcp_off = ip_off + ip->ihl * 4;
	__u32 payload = bpf_ntohs(ip->tot_len) - ip->ihl * 4 - tcp->doff * 4;
	__u8 macs[12];
	__u32 addrs[2] = { ip->daddr, ip->saddr };
	struct tcphdr old = *tcp;
	struct tcphdr rst = old;

	__builtin_memcpy(macs, eth->h_source, 6);
	__builtin_memcpy(macs + 6, eth->h_dest, 6);
	rst.source = old.dest;
	rst.dest = old.source;
	rst.ack_seq = bpf_htonl(bpf_ntohl(old.seq) + 1 + payload);
	rst.seq = 0;
	rst.syn = 0;
	rst.fin = 0;
	rst.psh = 0;
	rst.urg = 0;
	rst.ece = 0;
	rst.cwr = 0;
	rst.rst = 1;
	rst.ack = 1;
	rst.window = 0;
	rst.urg_ptr = 0;
	/* Swapped addresses and ports leave the checksum's sum unchanged; the rest is a diff. */
	__s64 diff = bpf_csum_diff((__be32 *)&old, sizeof(old), (__be32 *)&rst, sizeof(rst), 0);
	if (diff < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, macs, sizeof(macs), 0) ||
	    bpf_skb_store_bytes(skb, ip_off + offsetof(struct iphdr, saddr), addrs, sizeof(addrs), 0) ||
	    bpf_skb_store_bytes(skb, tcp_off, &rst, sizeof(rst), 0) ||
	    bpf_l4_csum_replace(skb, tcp_off + offsetof(struct tcphdr, check), 0, diff, 0))
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

SEC("tc")
int capture_inbound(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
		return TC_ACT_OK;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (!tcp->syn || tcp->ack)
		return TC_ACT_OK; /* established flows pass */

	__u16 listener = bpf_ntohs(tcp->dest) == MESH_HBONE_PORT ? MESH_HBONE_PORT : MESH_INBOUND_PORT;
	struct bpf_sock_tuple tuple = {};
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = bpf_htons(listener);
	struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk && sk->state != BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		sk = NULL;
	}
	if (!sk) {
		__u32 daddr = ip->daddr;
		struct mesh_enrolled_pod *pod = bpf_map_lookup_elem(&enrolled_pods, &daddr);
		if (pod && (pod->flags & MESH_POD_ENROLLED))
			return reset(skb, eth, ip, tcp);
		return TC_ACT_OK;
	}
	bpf_sk_assign(skb, sk, 0);
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
