# The Timer module (spec 04 §13): suspends only the calling process.

@extern("mesh_rt_sleep") pub fn sleep(ms :: Int) -> ()
# The message is copied now and delivered to `pid` after `ms` milliseconds.
@intrinsic pub fn send_after<M>(pid :: Pid<M>, ms :: Int, message :: M) -> ()
@extern("mesh_rt_send_after", located) fn send_after_word<M>(pid :: Pid<M>, ms :: Int, message :: M, counted :: Int, message_type :: String) -> ()
