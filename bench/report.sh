#!/usr/bin/env bash
# Turns a bench JSON (bench/bench.sh) into a markdown table: median (min-max) per configuration.
set -euo pipefail
json=$1
jq -r '
  def cell(s): if s.median == null then "-" else "\(s.median * 100 | round / 100) (\(s.min * 100 | round / 100)-\(s.max * 100 | round / 100))" end;
  def rcell(r): if r == null then "-" else "\(r * 100 | round / 100)x" end;
  "# L4 benchmark\n",
  "Machine: \(.machine.cores) cores, kernel \(.machine.kernel); .NET \(.versions.dotnet), nginx \(.versions.nginx), wrk \(.versions.wrk).",
  "Latency at a fixed \(.settings.rate) req/s (open loop); \(.settings.repetitions) repetitions: median (min-max).\n",
  "| figure | " + (.configs | keys_unsorted | join(" | ")) + " |",
  "|---|" + (.configs | keys_unsorted | map("---") | join("|")) + "|",
  (. as $r | ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb", "proxy_rss_total_mb"][] as $m
    | "| \($m) | " + ($r.configs | to_entries | map(cell(.value[$m])) | join(" | ")) + " |"),
  "",
  (select(.ratios | length > 0) | "| ratio of medians | " + (.ratios | keys_unsorted | join(" | ")) + " |"),
  (select(.ratios | length > 0) | "|---|" + (.ratios | keys_unsorted | map("---") | join("|")) + "|"),
  (select(.ratios | length > 0) | . as $r | ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb", "proxy_rss_total_mb"][] as $m
    | "| \($m) | " + ($r.ratios | to_entries | map(rcell(.value[$m])) | join(" | ")) + " |"),
  "",
  (.added_latency_us | to_entries[] | "Latency \(.key) adds over nomesh (difference of medians): " + (.value | to_entries | map("\(.key | sub("_us$"; "")) \(.value | round) us") | join(", "))),
  (.proxy_rss_each_mb | to_entries[] | select(.value | length > 0) | "Peak RSS of each \(.key) proxy process: " + (.value | map("\(.) MB") | join(", "))),
  "",
  (select(.configs.waypoint != null) | "waypoint: requests go to the service VIP (client -> ztunnel -> waypoint -> ztunnel -> echo); its bulk_mb_s is HTTP GET 8 x 64 MB through the waypoint (iperf3 is not HTTP), and its proxy processes are both ztunnels and the waypoint."),
  (select(.ztunnel_idle_rss_mb != null) | "ztunnel RSS idle with \(.settings.idle_pods) enrolled pods on its node: \(.ztunnel_idle_rss_mb) MB"),
  "",
  "Commands: \(.commands | to_entries | map("`\(.value)`") | join("; "))"
' "$json"
