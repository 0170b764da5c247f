-- GCRA (generic cell rate algorithm) on one key, atomically: the same algorithm and quotas
-- as the in-memory limiter (governor), so both answer the same for the same requests.
--
-- A subject's state is its theoretical arrival time (TAT): when its quota would be whole
-- again if no request came. Times are microseconds of Redis's own clock, so the clocks of the
-- processes sharing the limits do not matter.
--
-- KEYS[1]  the policy's key for one subject
-- ARGV[1]  T, the emission interval: microseconds between two requests at the sustained rate
-- ARGV[2]  tau, the tolerance, T * (limit - 1): how far beyond now the TAT may be
--
-- Returns {1, tat - now} when the request is allowed (the new TAT, relative to now), or
--         {0, wait} when it is refused, wait being the microseconds until one can pass.
-- The key expires when the quota is whole again, so an idle subject leaves nothing behind.
local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
-- A missing key (GET gives false) is a whole quota: the TAT is now.
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local earliest = tat - tau
if now < earliest then
  return {0, earliest - now}
end
local new_tat = math.max(tat, now) + t
-- '%.0f': Lua would write a number this large in exponent form, losing digits.
redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
  'PX', math.ceil((new_tat - now) / 1000))
return {1, new_tat - now}
