-- GCRA rate limit check, atomic per key. A transcription of `decide` in src/gcra.rs.
-- KEYS[1]  the key (already prefixed `cistern:rl:`); its value is the TAT in µs.
-- ARGV[1]  emission interval in µs; ARGV[2] burst; ARGV[3] cost (0 <= cost <= burst).
-- Returns {1, remaining, reset_after_us} or {0, retry_after_us, reset_after_us}.
--
-- Time comes from the Redis server, not the callers, so instances with skewed clocks agree.
-- (Calling TIME before a write needs effects replication: the default since Redis 5.)
-- Every number stays an integer below 2^53 (µs since 1970 plus at most a year), where Lua's
-- doubles are exact; values are written with %.0f because Lua's default number formatting
-- (%.14g) would round a 16-digit TAT.
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tolerance = interval * burst

local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, allow_at - now, tat - now}
end

if cost > 0 then
  -- Expire exactly when the bucket is full again: from then on, no key and this key answer
  -- the same, so idle keys cost Redis nothing.
  local ttl_ms = math.ceil((new_tat - now) / 1000)
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%.0f', ttl_ms))
end
return {1, math.floor((now + tolerance - new_tat) / interval), new_tat - now}
