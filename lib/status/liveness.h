// Is the supd that wrote a status page alive? Judged from the page alone plus a check that
// its pid still exists, so supctl can tell "busy" from "hung" from "gone" without asking it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "status/service_status.h"

namespace supd::status {

enum class DaemonLiveness { Running, NotResponding, NotRunning };

// "running" "not responding" "not running" (the `daemon.state` of `supctl status --json`).
const char* liveness_name(DaemonLiveness liveness);

// supd beats at least this often (StatusWriter::heartbeat).
inline constexpr std::chrono::milliseconds kHeartbeatInterval{5000};
// Three missed beats: not responding.
inline constexpr std::chrono::milliseconds kDefaultStaleAfter = 3 * kHeartbeatInterval;

// NotRunning: supd stopped cleanly, recorded its own crash, never set its pid, or its pid is
// gone (`pid_alive` says so). NotResponding: its process exists but its last heartbeat (or,
// before the first, its start) is more than `stale_after` older than `now_unix_ms`.
// Running otherwise. A heartbeat from the future (the clock was set back) counts as fresh.
DaemonLiveness judge(const Snapshot& snapshot, std::int64_t now_unix_ms,
                     const std::function<bool(std::int64_t pid)>& pid_alive,
                     std::chrono::milliseconds stale_after = kDefaultStaleAfter);

}  // namespace supd::status
