// What is known about one service right now: read by the status page, `supctl status`, the
// event stream and the dependency checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "supervisor/clock.h"
#include "supervisor/events.h"
#include "supervisor/service_state.h"

namespace supd::supervisor {

// Health of a running service with a health check. None: it has no health check.
enum class Health { None, Unknown, Ok, Failing };

// Where the service's processes are. The seven public states say what the service does;
// this says what the runtime holds for it.
enum class ProcessPhase {
  None,       // no process
  Spawning,   // Spawn asked for, Spawned/SpawnFailed not yet heard
  Alive,      // the main process runs as `pid`
  GroupOnly,  // the main process exited, the rest of its group is being stopped
};

struct Snapshot {
  State state = State::Stopped;
  TimePoint since{};   // when it entered `state`
  std::string reason;  // why it is in `state`: "exited 3; retrying in 2s", "waiting for db"
  ProcessPhase process = ProcessPhase::None;
  std::optional<Pid> pid;               // the main process while it runs
  std::optional<TimePoint> spawned_at;  // when the main process started (uptime)
  std::uint32_t restarts = 0;           // automatic restarts so far
  std::string last_exit;                // "exited 3", "hung: watchdog", "" before any
  std::optional<ExitInfo> exit;         // how the last main process ended
  bool exit_ok = false;                 // the last run ended as a success
  bool ready = false;                   // readiness passed in this run
  Health health = Health::None;
  std::uint32_t health_failures = 0;  // failed health checks in a row
  Duration backoff_delay{0};          // the wait of the current (last) backoff
  std::string waiting_for;            // unmet dependencies ("db, cache"), "" when none
};

// Health::Failing -> "failing"; Health::None -> "none".
const char* to_string(Health h);
// ProcessPhase::GroupOnly -> "group only".
const char* to_string(ProcessPhase p);

}  // namespace supd::supervisor
