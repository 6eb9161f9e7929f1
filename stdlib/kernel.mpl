# The Kernel module: a runtime error with a message (it ends the process).

@intrinsic pub fn panic(message :: String) -> Never
