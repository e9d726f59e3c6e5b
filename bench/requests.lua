-- wrk script: each thread sends its share of the requests listed in a file
-- (one "METHOD<TAB>PATH<TAB>BODY" line each; bodies are JSON), cycling
-- through them, tallies response statuses, and prints a JSON summary.
-- Usage: wrk ... -s bench/requests.lua <url> -- <requests file> <threads>

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  mine = {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % nthreads == id - 1 then
      local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
      if body == "" then body = nil end
      table.insert(mine, wrk.format(method, path, nil, body))
    end
    index = index + 1
  end
  sent = 0
  statuses = {}
end

function request()
  sent = sent + 1
  return mine[(sent - 1) % #mine + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local tally = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      tally[status] = (tally[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(tally) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), table.concat(parts, ", ")))
end
