// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Inbound capture: TC ingress on an enrolled pod's eth0 (a TCX link, or clsact where TCX is
 * missing). A new TCP connection (SYN without ACK) to the pod is handed to ztunnel's in-pod
 * listener with bpf_sk_assign: destination port 15008 to the HBONE listener, any other port to
 * the plaintext listener on 15006. The listener accepts a socket whose local address is the
 * original destination. Later packets of the flow match the accepted socket and pass untouched. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mesh_bpf.h"

#define TC_ACT_OK 0
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MESH_TC_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tc_stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&tc_stats, &stat);
	if (value)
		*value += 1;
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
	if (!sk) {
		count(MESH_TC_STAT_NO_LISTENER);
		return TC_ACT_OK;
	}
	if (sk->state != BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		count(MESH_TC_STAT_NO_LISTENER);
		return TC_ACT_OK;
	}
	long err = bpf_sk_assign(skb, sk, 0);
	bpf_sk_release(sk);
	count(err == 0 ? MESH_TC_STAT_ASSIGNED : MESH_TC_STAT_ASSIGN_FAILED);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
