#include "status/liveness.h"

namespace supd::status {

const char* liveness_name(DaemonLiveness liveness) {
  switch (liveness) {
    case DaemonLiveness::Running:
      return "running";
    case DaemonLiveness::NotResponding:
      return "not responding";
    case DaemonLiveness::NotRunning:
      return "not running";
  }
  return "unknown";
}

DaemonLiveness judge(const Snapshot& snapshot, std::int64_t now_unix_ms,
                     const std::function<bool(std::int64_t pid)>& pid_alive,
                     std::chrono::milliseconds stale_after) {
  const DaemonInfo& d = snapshot.daemon;
  if (d.state == DaemonState::Stopped || snapshot.crashed || d.pid <= 0) {
    return DaemonLiveness::NotRunning;
  }
  if (!pid_alive(d.pid)) return DaemonLiveness::NotRunning;
  const std::int64_t last_sign = d.heartbeat_ms != 0 ? d.heartbeat_ms : d.start_time * 1000;
  if (now_unix_ms - last_sign > stale_after.count()) return DaemonLiveness::NotResponding;
  return DaemonLiveness::Running;
}

}  // namespace supd::status
