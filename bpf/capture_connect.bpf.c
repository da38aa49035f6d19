// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Outbound capture inside an enrolled pod, attached to the pod's cgroup v2:
 *   cgroup/connect4, cgroup/connect6 (v4-mapped only): TCP connects to a non-loopback address
 *     go to ztunnel's in-pod listener 127.0.0.1:15001; the original destination is stored by
 *     socket cookie.
 *   sockops (TCP_CONNECT_CB): once the client port is known, the original destination is stored
 *     again by (netns cookie, client ip, client port), the key ztunnel has after accept().
 *   cgroup/getpeername4/6: the app sees the original peer, not 127.0.0.1:15001.
 * Sockets carrying one of ztunnel's SO_MARKs are never touched, so ztunnel cannot loop into itself. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mesh_bpf.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define LOOPBACK_NET 0x7f000000 /* 127.0.0.0/8, host order */

/* Load-time settings: the two SO_MARKs ztunnel puts on its own sockets (0: that mark is not skipped). */
const volatile struct mesh_connect_config connect_config = {};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* socket cookie */
	__type(value, struct mesh_orig_dst);
} orig_dst_by_cookie SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct mesh_client_key);
	__type(value, struct mesh_orig_dst);
} orig_dst_by_client SEC(".maps");

static __always_inline int is_loopback4(__u32 ip_be)
{
	return (bpf_ntohl(ip_be) & 0xff000000) == LOOPBACK_NET;
}

static __always_inline int is_ztunnel_socket(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	if (!sk)
		return 0;
	__u32 mark = sk->mark;
	if (mark == 0)
		return 0;
	return mark == connect_config.ztunnel_mark || mark == connect_config.inbound_mark;
}

/* Records the original destination and returns 1 when the connect must be redirected, 0 when it is
 * not captured, -1 when it must be refused. */
static __always_inline int capture(struct bpf_sock_addr *ctx, __u32 dst_ip_be)
{
	if (ctx->type != SOCK_STREAM || ctx->protocol != IPPROTO_TCP)
		return 0;
	if (is_loopback4(dst_ip_be) || is_ztunnel_socket(ctx))
		return 0;
	struct mesh_orig_dst dst = {
		.ip = dst_ip_be,
		.port = bpf_ntohs((__u16)ctx->user_port),
	};
	__u64 cookie = bpf_get_socket_cookie(ctx);
	if (bpf_map_update_elem(&orig_dst_by_cookie, &cookie, &dst, BPF_ANY) != 0)
		return -1; /* cannot remember it: refuse the connect (fail closed), never let it go direct */
	return 1;
}

/* The programs and links are pinned: they keep redirecting to 127.0.0.1:15001 while no ztunnel runs,
 * where nothing listens, so the app's connect fails with ECONNREFUSED instead of leaving in plaintext. */
SEC("cgroup/connect4")
int capture_connect4(struct bpf_sock_addr *ctx)
{
	int captured = capture(ctx, ctx->user_ip4);
	if (captured < 0)
		return 0; /* EPERM */
	if (captured) {
		ctx->user_ip4 = bpf_htonl(0x7f000001);
		ctx->user_port = bpf_htons(MESH_OUTBOUND_PORT);
	}
	return 1;
}

static __always_inline int is_v4_mapped(__u32 w0, __u32 w1, __u32 w2)
{
	return w0 == 0 && w1 == 0 && w2 == bpf_htonl(0x0000ffff);
}

SEC("cgroup/connect6")
int capture_connect6(struct bpf_sock_addr *ctx)
{
	if (!is_v4_mapped(ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2]))
		return 1; /* native IPv6 is not captured (the lab and the mesh are IPv4) */
	int captured = capture(ctx, ctx->user_ip6[3]);
	if (captured < 0)
		return 0; /* EPERM */
	if (captured) {
		ctx->user_ip6[3] = bpf_htonl(0x7f000001);
		ctx->user_port = bpf_htons(MESH_OUTBOUND_PORT);
	}
	return 1;
}

static __always_inline int client_key(struct bpf_sock_ops *skops, struct mesh_client_key *key)
{
	/* Read every context field once, unconditionally: the verifier refuses a context pointer
	 * that clang has offset by a branch-dependent amount. */
	__u32 family = skops->family;
	__u32 ip4 = skops->local_ip4;
	__u32 w0 = skops->local_ip6[0], w1 = skops->local_ip6[1];
	__u32 w2 = skops->local_ip6[2], w3 = skops->local_ip6[3];

	key->netns_cookie = bpf_get_netns_cookie(skops);
	key->port = (__u16)skops->local_port;
	key->pad = 0;
	if (family == AF_INET) {
		key->ip = ip4;
		return 0;
	}
	if (family == AF_INET6 && is_v4_mapped(w0, w1, w2)) {
		key->ip = w3;
		return 0;
	}
	return -1;
}

SEC("sockops")
int capture_sockops(struct bpf_sock_ops *skops)
{
	struct mesh_client_key key = {};
	__u64 cookie;
	struct mesh_orig_dst *dst;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		cookie = bpf_get_socket_cookie(skops);
		dst = bpf_map_lookup_elem(&orig_dst_by_cookie, &cookie);
		if (!dst || client_key(skops, &key) != 0)
			break;
		bpf_map_update_elem(&orig_dst_by_client, &key, dst, BPF_ANY);
		/* ask for state changes so both entries go when the socket closes */
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] != BPF_TCP_CLOSE)
			break;
		cookie = bpf_get_socket_cookie(skops);
		bpf_map_delete_elem(&orig_dst_by_cookie, &cookie);
		if (client_key(skops, &key) == 0)
			bpf_map_delete_elem(&orig_dst_by_client, &key);
		break;
	default:
		break;
	}
	return 1;
}

SEC("cgroup/getpeername4")
int capture_getpeername4(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	struct mesh_orig_dst *dst = bpf_map_lookup_elem(&orig_dst_by_cookie, &cookie);
	if (dst) {
		ctx->user_ip4 = dst->ip;
		ctx->user_port = bpf_htons(dst->port);
	}
	return 1;
}

SEC("cgroup/getpeername6")
int capture_getpeername6(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	struct mesh_orig_dst *dst = bpf_map_lookup_elem(&orig_dst_by_cookie, &cookie);
	if (dst) {
		ctx->user_ip6[3] = dst->ip;
		ctx->user_port = bpf_htons(dst->port);
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
