# Input: one JSON object per (config, repetition). Output: the machine, versions, and per configuration the
# median, min and max of each figure, plus ratios of the medians against "nomesh" and "nginx".
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats(f): [.[] | f | select(. != null)] | {median: median, min: min, max: max};
def metrics: ["max_rps", "p50_us", "p90_us", "p99_us", "p999_us", "bulk_mb_s", "cpu_s_per_1000", "proxy_peak_rss_mb", "proxy_rss_total_mb",
  "redis_set_rps", "redis_get_rps", "redis_set_p50_ms", "redis_get_p50_ms", "redis_set_p99_ms", "redis_get_p99_ms"];
. as $all
| (group_by(.config) | map({key: .[0].config, value: (. as $runs | metrics | map({key: ., value: (. as $m | $runs | stats(.[$m]))}) | from_entries)}) | from_entries) as $cfg
| {
    machine: {cores: ($cores | tonumber), kernel: $kernel},
    versions: {dotnet: $dotnet, nginx: $nginx, wrk: $wrk, haproxy: $haproxy, redis: $redis},
    settings: {rate: ($rate | tonumber), repetitions: $reps, idle_pods: ($idlepods | tonumber), bulk_http_mb: ($bulkhttp | tonumber)},
    commands: {
      max_rps: "wrk -t2 -c32 -d\($wrks)s http://TARGET/ (from the client pod)",
      latency: "loadgen --target TARGET --rate \($rate) --duration \($lats) --warmup \($warmup) --connections 32 (open loop; latency from the due time)",
      bulk: "iperf3 -c HOST -p PORT -t \($bulks) -J (one stream)",
      redis: "redis-benchmark -h HOST -p PORT -n \($redisn) -c 20 -t set,get --csv (from the client pod)"
    },
    configs: $cfg,
    # ratios of medians, for the pairs a reader compares: what the mesh costs over the bare path and against
    # the peer a user might pick instead, what that peer costs over the bare path, what L7 costs over L4
    ratios: ([["mesh", "nomesh"], ["mesh", "nginx"], ["nginx", "nomesh"], ["waypoint", "mesh"], ["waypoint", "haproxy"],
        ["mesh", "mesh-jit"], ["waypoint", "waypoint-jit"]]
      | map(select($cfg[.[0]] != null and $cfg[.[1]] != null) | . as [$a, $b]
        | {key: "\($a) vs \($b)", value: (metrics | map(. as $m | {key: $m, value:
            (if ($cfg[$b][$m].median // 0) != 0 and $cfg[$a][$m].median != null then $cfg[$a][$m].median / $cfg[$b][$m].median else null end)})
          | from_entries)})
      | from_entries),
    # latency a proxy adds over the bare path (difference of medians, microseconds)
    added_latency_us: (["mesh", "mesh-jit", "waypoint", "waypoint-jit", "nginx", "haproxy"] | map(select($cfg[.] != null and $cfg.nomesh != null) | . as $c
      | {key: $c, value: (["p50_us", "p90_us", "p99_us", "p999_us"] | map({key: ., value: ($cfg[$c][.].median - $cfg.nomesh[.].median)}) | from_entries)})
      | from_entries),
    # peak RSS of each proxy process in the last repetition (a process's peak covers all repetitions before it)
    proxy_rss_each_mb: ($all | group_by(.config) | map({key: .[0].config, value: (max_by(.rep).proxy_rss_each_mb // [])}) | from_entries),
    ztunnel_idle_rss_mb: $idle,
    ztunnel_idle_memory: $idlemem,
    ztunnel_ready_ms: $ready,
    mesh_cni_exec_ms: $cni,
    raw: $all
  }
