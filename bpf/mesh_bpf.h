/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Structs and constants shared between the BPF programs and ztunnel (C# mirrors live in
 * ztunnel/Redirection/; a unit test checks that sizes and offsets match). */
#ifndef MESH_BPF_H
#define MESH_BPF_H

#define MESH_OUTBOUND_PORT 15001 /* in-pod outbound capture listener (127.0.0.1) */
#define MESH_INBOUND_PORT  15006 /* in-pod inbound plaintext listener */
#define MESH_HBONE_PORT    15008 /* in-pod HBONE listener */

/* An original destination: IPv4 address in network byte order, port in host byte order. */
struct mesh_orig_dst {
	__u32 ip;
	__u16 port;
	__u16 pad;
};

/* The client side of a redirected connection as ztunnel's 15001 listener sees it: the network
 * namespace cookie (SO_NETNS_COOKIE of the listener) plus the client's local ip (network order)
 * and port (host order). Pods all use 127.0.0.1, so the namespace cookie tells them apart. */
struct mesh_client_key {
	__u64 netns_cookie;
	__u32 ip;
	__u16 port;
	__u16 pad;
};

/* Load-time settings of capture_connect.bpf.c (its only .rodata variable). */
struct mesh_connect_config {
	__u32 ztunnel_mark; /* SO_MARK on ztunnel's own sockets; they are never redirected */
	__u32 inbound_mark; /* SO_MARK on ztunnel's transparent dials to the app (and the app's accepted
	                     * sockets that inherit it): never redirected either */
};

/* Value of capture_tc.bpf.c's enrolled_pods map (key: the pod's IPv4 address, network order).
 * ztunnel writes it when it enrolls the pod and deletes it at unenroll; the map is pinned, so the
 * entry outlives ztunnel: a SYN to an enrolled pod that finds no listener is refused, never passed. */
struct mesh_enrolled_pod {
	__u32 flags; /* MESH_POD_ENROLLED */
	__u32 pad;
};

#define MESH_POD_ENROLLED 1

#endif /* MESH_BPF_H */
