// The console supd shares with its children.
#pragma once

namespace supd::os::win {

// Console control events (CTRL_BREAK, the graceful stop) only reach processes attached to
// the sender's console. A supd without a console (a service, or started detached) gets a
// hidden one of its own here, once, before its first child starts; its standard handles
// are kept as they were. Without it every child would get a console of its own and could
// only be stopped by terminating its job.
void ensure_console_for_children();

}  // namespace supd::os::win
