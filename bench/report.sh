#!/usr/bin/env bash
# Turns a bench JSON (bench/bench.sh) into a markdown table: median (min-max) per configuration.
set -euo pipefail
json=$1
jq -r '
  .settings.idle_pods as $idle_pods |
  def cell(s): if s.median == null then "-" else "\(s.median * 100 | round / 100) (\(s.min * 100 | round / 100)-\(s.max * 100 | round / 100))" end;
  def rcell(r): if r == null then "-" else "\(r * 100 | round / 100)x" end;
  "# Mesh benchmark\n",
  "Machine: \(.machine.cores) cores, kernel \(.machine.kernel); .NET \(.versions.dotnet), nginx \(.versions.nginx), haproxy \(.versions.haproxy // "-"), redis \(.versions.redis // "-"), wrk \(.versions.wrk).",
  "Latency at a fixed \(.settings.rate) req/s (open loop); \(.settings.repetitions) repetitions: median (min-max).\n",
  "| figure | " + (.configs | keys_unsorted | join(" | ")) + " |",
  "|---|" + (.configs | keys_unsorted | map("---") | join("|")) + "|",
  (. as $r | ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb", "proxy_rss_total_mb",
      "redis_set_rps", "redis_get_rps", "redis_set_p50_ms", "redis_get_p50_ms", "redis_set_p99_ms", "redis_get_p99_ms"][] as $m
    | "| \($m) | " + ($r.configs | to_entries | map(cell(.value[$m])) | join(" | ")) + " |"),
  "",
  (select(.ratios | length > 0) | "| ratio of medians | " + (.ratios | keys_unsorted | join(" | ")) + " |"),
  (select(.ratios | length > 0) | "|---|" + (.ratios | keys_unsorted | map("---") | join("|")) + "|"),
  (select(.ratios | length > 0) | . as $r | ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb", "proxy_rss_total_mb",
      "redis_set_rps", "redis_get_rps"][] as $m
    | "| \($m) | " + ($r.ratios | to_entries | map(rcell(.value[$m])) | join(" | ")) + " |"),
  "",
  (.added_latency_us | to_entries[] | "Latency \(.key) adds over nomesh (difference of medians): " + (.value | to_entries | map("\(.key | sub("_us$"; "")) \(.value | round) us") | join(", "))),
  (.proxy_rss_each_mb | to_entries[] | select(.value | length > 0) | "Peak RSS of each \(.key) proxy process: " + (.value | map("\(.) MB") | join(", "))),
  "",
  (select(.configs.waypoint != null) | "waypoint: requests go to the service VIP (client -> ztunnel -> waypoint -> ztunnel -> echo); its bulk_mb_s is HTTP GET 8 x \(.settings.bulk_http_mb) MB through the waypoint (iperf3 is not HTTP), and its proxy processes are both ztunnels and the waypoint."),
  (select(.configs.haproxy != null) | "haproxy: nginx (node1) -mTLS-> haproxy (node2, HTTP: 90/10 split, 2 retries on connection failure or 503) -mTLS-> nginx (node2) -> echo, the waypoint row'"'"'s route; its proxy processes are haproxy and the four nginx processes."),
  (.ztunnel_idle_rss_mb // {} | to_entries[] | "ztunnel (\(.key)) RSS idle with \($idle_pods) enrolled pods on its node: \(.value) MB"),
  (.ztunnel_idle_memory // {} | to_entries[] | "ztunnel (\(.key)) idle, where it goes: \(.value.anon_mb) MB anonymous (GC committed \(.value.gc_committed_mb) MB, the rest native heaps and \(.value.threads) thread stacks), \(.value.file_mb) MB file pages (code, libraries)"),
  (.ztunnel_ready_ms // {} | to_entries[] | "ztunnel (\(.key)) from process start to ready (readiness 200), restarted with \($idle_pods) enrolled pods to take over: \(.value) ms"),
  (.mesh_cni_exec_ms // {} | select(.runs != null) | "mesh-cni (AOT) from exec to exit, CNI_COMMAND=VERSION: median \(.median_ms) ms, max \(.max_ms) ms over \(.runs) runs"),
  "",
  "Commands: \(.commands | to_entries | map("`\(.value)`") | join("; "))"
' "$json"
