/// The server-side scripts of the Redis store: each check-and-update is one script, run
/// atomically by Redis on its own clock (`TIME`), so that hosts whose clocks disagree count
/// alike and two hosts never both take the last event of a rate.
enum RedisScripts {
    /// GCRA, as `GCRA.take` does it in memory. KEYS[1]: the limit's key. ARGV: the
    /// interval (ms per event or byte), the burst, the cost, strict (1 or 0), the period
    /// (ms). Returns 1 when the event puts the key over, else 0; the key expires when its
    /// rate is free again.
    static let take = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local interval = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local strict = ARGV[4] == '1'
        local period = tonumber(ARGV[5])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        local start = math.max(tat, now)
        local nextTat = start + cost * interval
        local over = nextTat - now > burst * interval
        if over and not strict then return 1 end
        local ceiling = now + burst * interval + period
        if nextTat > ceiling then nextTat = ceiling end
        redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.max(1, math.ceil(nextTat - now)))
        if over then return 1 end
        return 0
        """

    /// Greylisting, as `Greylisting.decide` does it in memory. KEYS[1]: the triplet's key (a
    /// hash of `first` and `pass`). ARGV: the delay, the window, the pass (ms). Returns
    /// {1, 0} when the triplet passes, {0, ms until a retry passes} when it is deferred.
    static let greylist = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local delay = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local pass = tonumber(ARGV[3])
        local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '-1') or -1
        local passUntil = tonumber(redis.call('HGET', KEYS[1], 'pass') or '-1') or -1
        local function passed()
            redis.call('HSET', KEYS[1], 'pass', string.format('%.0f', now + pass))
            redis.call('PEXPIRE', KEYS[1], pass)
            return {1, 0}
        end
        if first >= 0 and passUntil > now then return passed() end
        if first >= 0 and passUntil < 0 and now - first < window then
            if now - first >= delay then return passed() end
            return {0, first + delay - now}
        end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'first', string.format('%.0f', now))
        redis.call('PEXPIRE', KEYS[1], window)
        return {0, delay}
        """
}
