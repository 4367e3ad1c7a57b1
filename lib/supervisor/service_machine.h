// One service's state machine: events in, actions out. Pure: no I/O, no clock reads, no
// threads. The runtime feeds it what happened (Spawned, Exited, TimerFired, ...) with the
// current time, performs the returned actions in order and feeds back their results.
//
// The transitions are written as one exhaustive switch over the state per event; the
// table they implement is docs/state-machine.md. An event that cannot happen in the current
// state (Exited with no process, Spawned while stopped, ...) changes nothing and comes back
// as a note for the log; it never crashes. Events that are merely late (a stale timer, a
// health result after the service stopped) are ignored without a note.
//
// Invariants (checked by a property test over random event sequences):
//   - Spawn is only asked for when no main process is alive or pending;
//   - SignalGroup/KillGroup only while there is a process group;
//   - at most one timer is armed; every ArmTimer carries a new, larger generation;
//   - Publish actions chain: each `from` is the previous `to`.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/actions.h"
#include "supervisor/clock.h"
#include "supervisor/events.h"
#include "supervisor/policy.h"
#include "supervisor/snapshot.h"

namespace supd::supervisor {

struct Step {
  std::vector<Action> actions;
  // Non-empty when the event made no sense in this state and was ignored:
  // "can't happen: Exited{exited 0} while stopped". For a debug log; not an error.
  std::string cant_happen;
};

class ServiceMachine {
 public:
  // A stopped service since `now`.
  ServiceMachine(Policy policy, TimePoint now);

  Step handle(const Event& event, TimePoint now);

  const Snapshot& snapshot() const { return snap_; }
  const Policy& policy() const { return policy_; }
  // Replaces the policy. Deadlines already armed and probes already running keep going; the
  // new policy applies from the next decision on (fully from the next spawn).
  void set_policy(Policy policy) { policy_ = std::move(policy); }

  // The one armed timer (nullopt: none) and its generation.
  std::optional<TimePoint> armed_deadline() const { return armed_; }
  std::uint64_t timer_generation() const { return generation_; }

 private:
  // What to do once the process group is gone in `stopping`.
  enum class AfterStop { Rest, Start, Settle };
  // How a run ended, before deciding between restart, backoff, exited and fatal.
  struct Ending {
    std::string reason;
    bool failure = true;
    bool was_running = false;  // it had reached `running` (restart at once) or not (backoff)
  };

  void on(const Start& e);
  void on(const Stop& e);
  void on(const Restart& e);
  void on(const Spawned& e);
  void on(const SpawnFailed& e);
  void on(const Exited& e);
  void on(const GroupEmpty& e);
  void on(const TimerFired& e);
  void on(const ReadyNotified& e);
  void on(const WatchdogPing& e);
  void on(const HealthResult& e);
  void on(const DependenciesChanged& e);

  void cant_happen(const Event& event);
  void enter(State next, std::string reason);
  void fresh_start();
  void begin_start(std::string reason);
  void spawn();
  void spawned(Pid pid);
  void maybe_promote();
  void run_deadlines();
  void fail_and_stop(std::string reason);
  void begin_stop(AfterStop after, std::string reason);
  void signal_group();
  void stop_probes();
  void clear_run_deadlines();
  void main_exited(const Exited& e);
  void finish_stop();
  std::string exit_text() const;
  void settle(const Ending& ending);
  bool count_restart();
  void sync_timer();

  Policy policy_;
  Snapshot snap_;

  AfterStop after_ = AfterStop::Rest;
  std::optional<Ending> ending_;  // decided before the group was stopped (hang, exit)
  std::string start_reason_;      // for the start that follows a stop or a wait
  bool killed_ = false;           // KillGroup sent in this stop sequence
  bool start_secs_passed_ = false;
  bool ready_probe_on_ = false;
  bool health_probe_on_ = false;
  unsigned failed_starts_ = 0;           // in a row; drives the backoff
  std::deque<TimePoint> restart_times_;  // within restart_window

  // The deadlines; the earliest one that applies to the state is the armed timer.
  std::optional<TimePoint> start_deadline_;     // start_secs end
  std::optional<TimePoint> ready_deadline_;     // readiness must have passed
  std::optional<TimePoint> watchdog_deadline_;  // next WATCHDOG=1 due
  std::optional<TimePoint> runtime_deadline_;   // max_runtime end
  std::optional<TimePoint> stop_deadline_;      // stop_timeout end, then KillGroup repeats
  std::optional<TimePoint> backoff_deadline_;   // backoff end
  std::optional<TimePoint> armed_;
  std::uint64_t generation_ = 0;

  // Scratch for the handle() call in progress.
  TimePoint now_{};
  std::vector<Action> out_;
  std::string note_;
};

}  // namespace supd::supervisor
