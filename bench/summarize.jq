# Input: one JSON object per (config, repetition). Output: the machine, versions, and per configuration the
# median, min and max of each figure, plus ratios of the medians against "nomesh" and "nginx".
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats(f): [.[] | f | select(. != null)] | {median: median, min: min, max: max};
def metrics: ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb"];
. as $all
| (group_by(.config) | map({key: .[0].config, value: (. as $runs | metrics | map({key: ., value: (. as $m | $runs | stats(.[$m]))}) | from_entries)}) | from_entries) as $cfg
| {
    machine: {cores: ($cores | tonumber), kernel: $kernel},
    versions: {dotnet: $dotnet, nginx: $nginx, wrk: $wrk},
    settings: {rate: ($rate | tonumber), repetitions: $reps, idle_pods: ($idlepods | tonumber)},
    commands: {
      max_rps: "wrk -t2 -c32 -d\($wrks)s http://TARGET/ (from the client pod)",
      latency: "loadgen --target TARGET --rate \($rate) --duration \($lats) --warmup 2 --connections 32 (open loop; latency from the due time)",
      bulk: "iperf3 -c HOST -p PORT -t \($bulks) -J (one stream)"
    },
    configs: $cfg,
    ratios: ([ "mesh", "nginx" ] | map(. as $c | select($cfg[$c] != null) | {key: $c, value: (metrics | map(. as $m | {key: $m, value: {
        vs_nomesh: (if ($cfg.nomesh[$m].median // 0) != 0 and $cfg[$c][$m].median != null then $cfg[$c][$m].median / $cfg.nomesh[$m].median else null end),
        vs_nginx: (if $c != "nginx" and ($cfg.nginx[$m].median // 0) != 0 and $cfg[$c][$m].median != null then $cfg[$c][$m].median / $cfg.nginx[$m].median else null end)
      }}) | from_entries)}) | from_entries),
    ztunnel_idle_rss_mb: $idle,
    raw: $all
  }
