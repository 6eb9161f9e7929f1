# The Timer module (spec 04 §13): suspends only the calling process.

@extern("mesh_rt_sleep") pub fn sleep(ms :: Int) -> ()
# The message is copied now and delivered to `pid` after `ms` milliseconds.
@intrinsic pub fn send_after<M>(pid :: Pid<M>, ms :: Int, message :: M) -> ()
@extern("mesh_rt_send_after", located) fn send_after_word<M>(pid :: Pid<M>, ms :: Int, message :: M, counted :: Int, message_type :: String) -> ()
# Microseconds on a monotonic clock from an arbitrary start (as Elixir's
# `System.monotonic_time(:microsecond)`): for measuring durations, not telling the time.
@extern("mesh_rt_monotonic_us") pub fn monotonic_us() -> Int
