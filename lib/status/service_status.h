// What the status page says, as plain values: one service, supd's last crash, and a whole
// page read at once. Names of states as SPEC.md spells them, for tables and JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "status/page_layout.h"

namespace supd::status {

struct ServiceStatus {
  std::string name;  // at most kMaxNameLength characters
  ServiceState state = ServiceState::Stopped;
  std::int64_t pid = 0;    // 0 = no process
  std::int64_t since = 0;  // unix seconds the service entered `state`
  std::uint32_t restarts = 0;
  std::string last_exit;  // "exited 3", "killed by SIGSEGV (core dumped)"; "" = none.
                          // Stored up to kLastExitSize - 1 bytes, cut at a character boundary.
  std::optional<int> exit_code;
  std::string signal;  // "SIGSEGV"; "" = none
  Health health = Health::None;

  bool operator==(const ServiceStatus&) const = default;
};

struct CrashInfo {
  std::int64_t time = 0;  // unix seconds
  int signo = 0;          // native signal number (os::native_signal_name() names it);
                          // Windows: the exception code
  std::uint64_t fault_address = 0;
  std::int64_t pid = 0;  // the supd that crashed
  std::string text;      // what the crash handler wrote

  bool operator==(const CrashInfo&) const = default;
};

struct DaemonInfo {
  std::int64_t pid = 0;
  std::int64_t start_time = 0;    // unix seconds
  std::int64_t heartbeat_ms = 0;  // unix milliseconds; 0 = none yet
  DaemonState state = DaemonState::Starting;
};

// The whole page at one moment.
struct Snapshot {
  std::string path;
  std::uint32_t layout_version = 0;
  std::uint32_t capacity = 0;
  std::uint32_t generation = 0;  // changes whenever anything but the heartbeat changed
  DaemonInfo daemon;
  std::optional<CrashInfo> last_crash;  // kept across restarts of supd
  bool crashed = false;                 // last_crash is this supd's own: it is dead or dying
  bool previous_run_crashed = false;    // the supd before this one crashed (last_crash is it)
  bool previous_run_unclean = false;    // the supd before this one died without a crash record
  std::vector<ServiceStatus> services;  // in page order (the order services were added)
  // Read under the status lock: every record is from the same moment. When false, the lock
  // could not be had in time and each record is still whole, but records may be from
  // slightly different moments.
  bool locked = false;
  // False when some record stayed mid-update for the whole read (a writer that died while
  // writing it): that record is shown as it was found.
  bool complete = true;
};

// "stopped" "starting" "running" "stopping" "backoff" "exited" "fatal"
const char* state_name(ServiceState state);
std::optional<ServiceState> parse_state(std::string_view name);
// "none" "ok" "failing" (JSON shows None as null)
const char* health_name(Health health);
// "starting" "running" "stopping" "stopped"
const char* daemon_state_name(DaemonState state);

}  // namespace supd::status
