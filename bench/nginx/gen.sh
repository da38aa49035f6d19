#!/usr/bin/env bash
# Writes an nginx stream mTLS tunnel (the peer a user might pick instead of a mesh) into DIR:
# a client side that accepts plaintext and dials the server side with TLS 1.3 + a client certificate,
# and a server side that requires the client certificate and forwards plaintext to the app.
# usage: gen.sh DIR CLIENT_IP SERVER_IP PORT=UPSTREAM [PORT=UPSTREAM ...]
#   for each pair the client side listens on CLIENT_IP:PORT and the server side on SERVER_IP:PORT+1; an empty
#   UPSTREAM (PORT=) makes the client side only: another TLS server (haproxy) listens on SERVER_IP:PORT+1
#   e.g. gen.sh /tmp/ngx 198.19.0.11 198.19.0.12 18080=198.18.2.2:8080 15201=198.18.2.3:5201
set -euo pipefail
dir=$1 client_ip=$2 server_ip=$3
shift 3
mkdir -p "$dir"
cd "$dir"
# ECDSA P-256 like the mesh's certificates; TLS 1.3 with the same AEAD family.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench-ca" \
  -keyout ca.key -out ca.crt 2>/dev/null
for who in client server; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" \
    -keyout $who.key -out $who.csr 2>/dev/null
  openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out $who.crt 2>/dev/null
done
common() {
  cat <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
pid $dir/$1.pid;
error_log $dir/$1.error.log warn;
daemon off;
events { worker_connections 4096; }
CONF
}
client_servers="" server_servers=""
for pair in "$@"; do
  port=${pair%%=*} upstream=${pair#*=}
  client_servers+="
  server {
    listen $client_ip:$port;
    proxy_pass $server_ip:$((port + 1));
    proxy_ssl on;
    proxy_ssl_protocols TLSv1.3;
    proxy_ssl_certificate $dir/client.crt;
    proxy_ssl_certificate_key $dir/client.key;
    proxy_ssl_trusted_certificate $dir/ca.crt;
    proxy_ssl_verify on;
    proxy_ssl_name server;
    proxy_ssl_session_reuse on;
  }"
  [ -n "$upstream" ] || continue
  server_servers+="
  server {
    listen $server_ip:$((port + 1)) ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $dir/server.crt;
    ssl_certificate_key $dir/server.key;
    ssl_client_certificate $dir/ca.crt;
    ssl_verify_client on;
    proxy_pass $upstream;
  }"
done
{ common client; printf 'stream {%s\n}\n' "$client_servers"; } > client.conf
{ common server; printf 'stream {%s\n}\n' "$server_servers"; } > server.conf
