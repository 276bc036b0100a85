-- wrk script for Benchmarks/http-search.sh: cycles through the search-benchmark-game queries
-- (one URL-encoded query per line in $QUERIES) against GET /v1/search (typo tolerance as
-- $TYPOS says, true by default), and keeps the engine's
-- own time (the response's processing_time_ms) of every answer, so that done() can print the
-- engine's percentiles next to wrk's end-to-end ones.
local paths = {}
local threads = {}
local api_key = os.getenv("API_KEY")
local collection = os.getenv("COLLECTION") or "products"

for line in io.lines(os.getenv("QUERIES")) do
  paths[#paths + 1] = "/v1/search?collection=" .. collection .. "&limit=10&typo_tolerance=" .. (os.getenv("TYPOS") or "true") .. "&q=" .. line
end

function setup(thread)
  thread:set("offset", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  next_index = offset
  engine_ms = {}
  non_200 = 0
  wrk.headers["Authorization"] = "Bearer " .. api_key
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end

function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
    return
  end
  local ms = body:match('"processing_time_ms":([0-9.eE+-]+)')
  if ms then engine_ms[#engine_ms + 1] = tonumber(ms) end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local rank = math.max(1, math.ceil(p / 100 * #sorted))
  return sorted[rank]
end

function done(summary, latency, requests)
  local all, errors = {}, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("engine_ms")) do all[#all + 1] = ms end
    errors = errors + thread:get("non_200")
  end
  table.sort(all)
  local http = function(p) return latency:percentile(p) end  -- microseconds
  io.write(string.format("requests %d, non-200 %d, %.0f req/s\n",
    summary.requests, errors, summary.requests / (summary.duration / 1e6)))
  io.write("            p50 us   p90 us   p99 us\n")
  io.write(string.format("http     %9.0f %8.0f %8.0f\n", http(50), http(90), http(99)))
  io.write(string.format("engine   %9.0f %8.0f %8.0f\n",
    percentile(all, 50) * 1000, percentile(all, 90) * 1000, percentile(all, 99) * 1000))
  io.write(string.format("overhead %9.0f us at p50 (http p50 - engine p50)\n",
    http(50) - percentile(all, 50) * 1000))
end
