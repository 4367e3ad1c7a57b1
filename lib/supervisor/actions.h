// What the supervisor asks the runtime to do for one service, in order.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "supervisor/clock.h"
#include "supervisor/policy.h"
#include "supervisor/service_state.h"

namespace supd::supervisor {

// Start the main process in a new process group (Windows: job). Answer with Spawned or
// SpawnFailed. Never asked for while a main process of this service is alive or pending.
struct Spawn {
  bool operator==(const Spawn&) const = default;
};
// Send `signal` to the whole process group (including after the main process exited).
struct SignalGroup {
  StopSignal signal = StopSignal::Term;
  bool operator==(const SignalGroup&) const = default;
};
// SIGKILL the whole process group (Windows: terminate the job).
struct KillGroup {
  bool operator==(const KillGroup&) const = default;
};
// The service's one timer: fire TimerFired{generation} at `deadline`. Replaces whatever timer
// was armed before.
struct ArmTimer {
  TimePoint deadline;
  std::uint64_t generation = 0;
  bool operator==(const ArmTimer&) const = default;
};
struct CancelTimer {
  bool operator==(const CancelTimer&) const = default;
};
// Run the ready probe until it passes (answer ReadyNotified), or until told to stop.
struct StartReadyProbe {
  bool operator==(const StartReadyProbe&) const = default;
};
struct StopReadyProbe {
  bool operator==(const StopReadyProbe&) const = default;
};
// Run the health check every interval; answer each with HealthResult.
struct StartHealthProbe {
  bool operator==(const StartHealthProbe&) const = default;
};
struct StopHealthProbe {
  bool operator==(const StopHealthProbe&) const = default;
};
// The state changed: for the status page, the event stream and the log.
struct Publish {
  State from = State::Stopped;
  State to = State::Stopped;
  std::string reason;
  bool operator==(const Publish&) const = default;
};

using Action = std::variant<Spawn, SignalGroup, KillGroup, ArmTimer, CancelTimer, StartReadyProbe,
                            StopReadyProbe, StartHealthProbe, StopHealthProbe, Publish>;

// "SignalGroup{SIGTERM}", "Publish{running -> starting: exited 3; restarting}", for logs
// and test messages. Deadlines print as milliseconds on the clock's own scale.
std::string to_string(const Action& action);

}  // namespace supd::supervisor
