-- The chatbot team's sliding-window rate limiter (seed 001): one sorted set per user, a window
-- of ARGV[1] ms, at most ARGV[2] requests in it. Returns {allowed (0/1), the server time in us}.
-- Used by tests/integration/test_script_rate_limit.py and by bench/bench.py.
local key = KEYS[1]
local window_ms = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window_ms * 1000)
if redis.call('ZCARD', key) < limit then
  -- Not now .. ':': Lua 5.1 writes a number of 16 digits as 1.7966844094428e+15.
  redis.call('ZADD', key, now, t[1] .. string.format('%06d', t[2]) .. ':' .. ARGV[3])
  redis.call('PEXPIRE', key, window_ms)
  return {1, now}
end
return {0, now}
