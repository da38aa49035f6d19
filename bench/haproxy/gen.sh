#!/usr/bin/env bash
# Writes haproxy, the L7 peer of the waypoint, into DIR/haproxy.cfg: HTTP mode with the waypoint's route (a 90/10
# weighted split, up to 2 retries on a failed connection or a 503), TLS on both sides as the waypoint has mTLS on
# both: it requires a client certificate on FRONTEND and presents one to each BACKEND (the nginx tunnel's server
# side, which forwards to the app). Certificates are the nginx tunnel's (bench/nginx/gen.sh wrote them into CERTS).
# usage: gen.sh DIR CERTS FRONTEND BACKEND   e.g. gen.sh /tmp/hap /tmp/ngx 198.19.0.12:18091 198.19.0.12:18095
set -euo pipefail
dir=$1 certs=$2 frontend=$3 backend=$4
mkdir -p "$dir"
cat "$certs/server.crt" "$certs/server.key" > "$dir/server.pem"
cat "$certs/client.crt" "$certs/client.key" > "$dir/client.pem"
tls="ssl crt $dir/client.pem ca-file $certs/ca.crt verify required verifyhost server ssl-min-ver TLSv1.3"
cat > "$dir/haproxy.cfg" <<CONF
global
  nbthread $(nproc)
  maxconn 4096
  pidfile $dir/haproxy.pid
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  retries 2
  retry-on conn-failure empty-response 503
  option http-keep-alive
frontend mesh
  bind $frontend ssl crt $dir/server.pem ca-file $certs/ca.crt verify required ssl-min-ver TLSv1.3
  default_backend echo
backend echo
  balance roundrobin
  http-reuse always
  server a $backend weight 90 $tls
  server b $backend weight 10 $tls
CONF
