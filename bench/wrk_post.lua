-- wrk script for bench/http_insert.py: POST a JSON body (BENCH_BODY), with a bearer token
-- (BENCH_TOKEN) when set; prints one machine-readable WRK_JSON line at the end.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or '{"title": "bench"}'
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "connect": %d, "read": %d,'
      .. ' "write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
