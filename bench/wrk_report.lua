-- wrk script for the benchmark harness (bench/load.py): counts non-2xx answers per thread and
-- prints one JSON line at the end. Latencies are in microseconds inside wrk; we print ms.
-- For POST measurements the harness sets BENCH_METHOD=POST, BENCH_BODY and BENCH_CONTENT_TYPE:
-- each request then sends BENCH_BODY with "{n}" replaced by 12 hex digits (thread, counter), so
-- every request carries a different client id (autosave replays are deduplicated by id).

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  counter = 0
end

-- GET requests are pre-built by wrk itself; only POST measurements need a request() per call.
if os.getenv("BENCH_METHOD") == "POST" then
  local body_template = os.getenv("BENCH_BODY")
  local content_type = os.getenv("BENCH_CONTENT_TYPE")
  function request()
    counter = counter + 1
    -- 12 hex digits: the last group of a UUID the harness puts around it.
    local unique = string.format("%04x%08x", thread_id, counter)
    local body = string.gsub(body_template, "{n}", unique)
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Content-Type"] = content_type
    return wrk.format("POST", nil, headers, body)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "requests_per_s": %.2f, "p50_ms": %.2f, '
      .. '"p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, "socket_errors": %d, '
      .. '"non2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect + e.read + e.write + e.timeout, bad))
end
