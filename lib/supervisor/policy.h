// What a service's config says about supervising it, in the supervisor's own terms. The
// daemon maps the validated config onto this; the supervisor never sees YAML.
#pragma once

#include <string>
#include <vector>

#include "supervisor/backoff.h"
#include "supervisor/clock.h"

namespace supd::supervisor {

enum class RestartPolicy { Always, OnFailure, Never };

// The signal that begins the stop sequence. Carried through to SignalGroup untouched: the
// runtime maps it to the platform's signal (Windows: CTRL_BREAK, then kill).
enum class StopSignal { Term, Int, Hup, Quit, Kill, Usr1, Usr2 };

// How the service says it is ready: not at all (running after start_secs), READY=1 over the
// notify socket, or a probe the runtime runs (tcp, http, exec).
enum class Readiness { None, Notify, Probe };

// What a dependent waits for (SPEC.md `depends_on`):
//   started    the dependency's main process is up (starting with a pid, or running)
//   ready      the dependency is running (start_secs and its readiness passed)
//   healthy    running, and its last health check passed (or it has no health check)
//   completed  it exited, and the exit counts as a success (success_exit_codes)
enum class DependencyCondition { Started, Ready, Healthy, Completed };

struct Dependency {
  std::string name;
  DependencyCondition condition = DependencyCondition::Started;

  bool operator==(const Dependency&) const = default;
};

struct Policy {
  RestartPolicy restart = RestartPolicy::OnFailure;
  std::vector<int> success_exit_codes{0};
  BackoffPolicy backoff;
  Duration start_secs{1000};  // must stay up this long for a start to count
  // At most `max_restarts` automatic restarts within any `restart_window`; the failure that
  // would need one more ends fatal. restart_window == 0 turns the limit off.
  unsigned max_restarts = 5;
  Duration restart_window{60'000};
  StopSignal stop_signal = StopSignal::Term;
  Duration stop_timeout{10'000};  // then KillGroup
  Readiness readiness = Readiness::None;
  // Readiness must pass within max(start_secs, ready_timeout) of the spawn, or the start
  // failed ("not ready after 1m"). 0: wait for ever.
  Duration ready_timeout{60'000};
  Duration watchdog{0};  // 0: off. Clock starts at spawn (Notify: at READY=1).
  bool has_health = false;
  unsigned health_failures = 3;  // failed health checks in a row that make it hung (0 counts as 1)
  Duration max_runtime{0};       // 0: off
  bool autostart = true;
  std::vector<Dependency> dependencies;

  bool operator==(const Policy&) const = default;
};

// StopSignal::Term -> "SIGTERM".
const char* to_string(StopSignal s);
// RestartPolicy::OnFailure -> "on-failure".
const char* to_string(RestartPolicy p);
// DependencyCondition::Completed -> "completed".
const char* to_string(DependencyCondition c);

}  // namespace supd::supervisor
