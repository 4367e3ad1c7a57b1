// What happens to a service: requests from users and the daemon, and what the runtime
// observed of its processes, timer and probes. Each is fed to ServiceMachine::handle().
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace supd::supervisor {

// A process id as the runtime reports it (POSIX pid; Windows process id).
using Pid = std::int64_t;

// How a main process ended.
struct ExitInfo {
  bool signaled = false;
  int code = 0;             // exit code when !signaled
  std::string signal_name;  // "SIGSEGV" when signaled
  bool core_dumped = false;

  // "exited 3", "killed by SIGSEGV", "killed by SIGSEGV (core dumped)".
  std::string describe() const;
  // Exited with one of `success_codes`; a death by signal is never a success.
  bool success(const std::vector<int>& success_codes) const;

  bool operator==(const ExitInfo&) const = default;
};

// --- Requests ---------------------------------------------------------------------------
// `reason` (optional) replaces the default wording of the state change it causes
// ("start requested", "stop requested", "restart requested"), e.g. "shutting down".
struct Start {
  std::string reason;
  bool operator==(const Start&) const = default;
};
struct Stop {
  std::string reason;
  bool operator==(const Stop&) const = default;
};
// Stop sequence, then start again at once.
struct Restart {
  std::string reason;
  bool operator==(const Restart&) const = default;
};

// --- From the runtime -------------------------------------------------------------------
// The Spawn action succeeded: the main process runs as `pid`, leading its own group.
struct Spawned {
  Pid pid = 0;
  bool operator==(const Spawned&) const = default;
};
// The Spawn action failed; `message` says why ("No such file or directory: /usr/bin/webx").
struct SpawnFailed {
  std::string message;
  bool operator==(const SpawnFailed&) const = default;
};
// The main process ended. `group_alive`: other processes of its group (job) were still
// running at that moment; the machine then gives them the stop sequence and waits for
// GroupEmpty before it restarts or settles.
struct Exited {
  ExitInfo info;
  bool group_alive = false;
  bool operator==(const Exited&) const = default;
};
// After Exited{group_alive = true}: the rest of the group is gone. Harmless at other times.
struct GroupEmpty {
  bool operator==(const GroupEmpty&) const = default;
};
// The deadline of the ArmTimer with this generation passed. Firings of older generations
// (replaced or cancelled timers that were already queued) are ignored.
struct TimerFired {
  std::uint64_t generation = 0;
  bool operator==(const TimerFired&) const = default;
};
// READY=1 arrived on the notify socket, or the ready probe passed.
struct ReadyNotified {
  bool operator==(const ReadyNotified&) const = default;
};
// WATCHDOG=1 arrived on the notify socket.
struct WatchdogPing {
  bool operator==(const WatchdogPing&) const = default;
};
// One health check finished.
struct HealthResult {
  bool ok = false;
  bool operator==(const HealthResult&) const = default;
};

// --- From the Supervisor ----------------------------------------------------------------
// The dependencies still unmet changed: `waiting_for` names them ("db, cache"), empty when
// all are met. A service asked to start waits (state starting, reason "waiting for db")
// until this says they are met.
struct DependenciesChanged {
  std::string waiting_for;
  bool operator==(const DependenciesChanged&) const = default;
};

using Event =
    std::variant<Start, Stop, Restart, Spawned, SpawnFailed, Exited, GroupEmpty, TimerFired,
                 ReadyNotified, WatchdogPing, HealthResult, DependenciesChanged>;

// "Exited{exited 3}", for logs and test messages.
std::string to_string(const Event& event);

}  // namespace supd::supervisor
