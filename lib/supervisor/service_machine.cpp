#include "supervisor/service_machine.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "supervisor/backoff.h"

namespace supd::supervisor {
namespace {

// After KillGroup the group may still take a moment to vanish (a process in uninterruptible
// sleep, a fork racing the kill): repeat the kill at this pace until GroupEmpty/Exited.
constexpr Duration kKillRepeat{5000};

std::string or_default(const std::string& given, const char* fallback) {
  return given.empty() ? std::string(fallback) : given;
}

std::string plural(unsigned n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

ServiceMachine::ServiceMachine(Policy policy, TimePoint now) : policy_(std::move(policy)) {
  snap_.since = now;
  snap_.health = policy_.has_health ? Health::Unknown : Health::None;
}

Step ServiceMachine::handle(const Event& event, TimePoint now) {
  now_ = now;
  out_.clear();
  note_.clear();
  std::visit([this](const auto& e) { on(e); }, event);
  sync_timer();
  return Step{std::exchange(out_, {}), std::exchange(note_, {})};
}

// --- Requests ---------------------------------------------------------------------------

void ServiceMachine::on(const Start& e) {
  switch (snap_.state) {
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      // A start by request begins afresh: the restart tally and the backoff reset.
      fresh_start();
      begin_start(or_default(e.reason, "start requested"));
      return;
    case State::Backoff:  // retry now, keeping the failure tally
      begin_start(or_default(e.reason, "start requested"));
      return;
    case State::Starting:
    case State::Running:
      return;  // already on its way
    case State::Stopping:
      after_ = AfterStop::Start;
      start_reason_ = or_default(e.reason, "start requested");
      return;
  }
}

void ServiceMachine::on(const Stop& e) {
  const std::string reason = or_default(e.reason, "stop requested");
  switch (snap_.state) {
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      return;  // nothing runs
    case State::Backoff:
      enter(State::Stopped, reason);
      return;
    case State::Starting:
      if (snap_.process == ProcessPhase::None) {  // still waiting for dependencies
        enter(State::Stopped, reason);
      } else {
        begin_stop(AfterStop::Rest, reason);
      }
      return;
    case State::Running:
      begin_stop(AfterStop::Rest, reason);
      return;
    case State::Stopping:
      after_ = AfterStop::Rest;
      return;
  }
}

void ServiceMachine::on(const Restart& e) {
  const std::string reason = or_default(e.reason, "restart requested");
  switch (snap_.state) {
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      fresh_start();
      begin_start(reason);
      return;
    case State::Backoff:
      begin_start(reason);
      return;
    case State::Starting:
      if (snap_.process == ProcessPhase::None) return;  // still waiting: nothing to restart
      start_reason_ = reason;
      begin_stop(AfterStop::Start, reason);
      return;
    case State::Running:
      start_reason_ = reason;
      begin_stop(AfterStop::Start, reason);
      return;
    case State::Stopping:
      after_ = AfterStop::Start;
      start_reason_ = reason;
      return;
  }
}

// --- The main process -------------------------------------------------------------------

void ServiceMachine::on(const Spawned& e) {
  if (snap_.process != ProcessPhase::Spawning) return cant_happen(e);
  switch (snap_.state) {
    case State::Starting:
      spawned(e.pid);
      return;
    case State::Stopping:  // stop asked for while the spawn was under way
      snap_.process = ProcessPhase::Alive;
      snap_.pid = e.pid;
      snap_.spawned_at = now_;
      signal_group();
      return;
    case State::Stopped:
    case State::Running:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return cant_happen(e);
  }
}

void ServiceMachine::on(const SpawnFailed& e) {
  if (snap_.process != ProcessPhase::Spawning) return cant_happen(e);
  const std::string reason = "spawn failed: " + e.message;
  snap_.process = ProcessPhase::None;
  switch (snap_.state) {
    case State::Starting:
      settle(Ending{reason, true, false});
      return;
    case State::Stopping:
      snap_.last_exit = reason;
      snap_.exit_ok = false;
      if (after_ == AfterStop::Start) {
        begin_start(start_reason_);
      } else {
        enter(State::Stopped, reason);
      }
      return;
    case State::Stopped:
    case State::Running:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return cant_happen(e);
  }
}

void ServiceMachine::on(const Exited& e) {
  if (snap_.process != ProcessPhase::Alive) return cant_happen(e);
  snap_.exit = e.info;
  snap_.pid.reset();
  snap_.spawned_at.reset();
  switch (snap_.state) {
    case State::Starting:
    case State::Running:
      main_exited(e);
      return;
    case State::Stopping:
      if (e.group_alive) {
        snap_.process = ProcessPhase::GroupOnly;  // the stop sequence already covers the group
      } else {
        finish_stop();
      }
      return;
    case State::Stopped:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return cant_happen(e);
  }
}

void ServiceMachine::on(const GroupEmpty&) {
  switch (snap_.state) {
    case State::Stopping:
      if (snap_.process == ProcessPhase::GroupOnly) finish_stop();
      return;
    case State::Stopped:
    case State::Starting:
    case State::Running:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return;  // the runtime may report an empty group after any exit
  }
}

// --- Time -------------------------------------------------------------------------------

void ServiceMachine::on(const TimerFired& e) {
  if (!armed_ || e.generation != generation_) return;  // replaced or cancelled: stale
  armed_.reset();
  switch (snap_.state) {
    case State::Starting:
    case State::Running:
      run_deadlines();
      return;
    case State::Stopping:
      if (stop_deadline_ && now_ >= *stop_deadline_) {
        out_.emplace_back(KillGroup{});
        killed_ = true;
        stop_deadline_ = now_ + kKillRepeat;
      }
      return;
    case State::Backoff:
      if (backoff_deadline_ && now_ >= *backoff_deadline_) {
        backoff_deadline_.reset();
        start_reason_ = "retrying after " + format_duration(snap_.backoff_delay);
        enter(State::Starting, start_reason_);
        spawn();
      }
      return;
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      return;  // nothing was due; sync_timer() keeps nothing armed here
  }
}

// --- Readiness and liveness -------------------------------------------------------------

void ServiceMachine::on(const ReadyNotified&) {
  switch (snap_.state) {
    case State::Starting:
      if (snap_.process != ProcessPhase::Alive || policy_.readiness == Readiness::None ||
          snap_.ready) {
        return;
      }
      snap_.ready = true;
      ready_deadline_.reset();
      if (ready_probe_on_) {
        out_.emplace_back(StopReadyProbe{});
        ready_probe_on_ = false;
      }
      if (policy_.readiness == Readiness::Notify && policy_.watchdog.count() > 0) {
        watchdog_deadline_ = now_ + policy_.watchdog;  // the watchdog clock starts at READY=1
      }
      maybe_promote();
      return;
    case State::Stopped:
    case State::Running:  // READY=1 again (after a reload of its own): nothing to do
    case State::Stopping:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return;  // late word from a process that is gone or going
  }
}

void ServiceMachine::on(const WatchdogPing&) {
  switch (snap_.state) {
    case State::Starting:
    case State::Running:
      if (watchdog_deadline_) watchdog_deadline_ = now_ + policy_.watchdog;
      return;
    case State::Stopped:
    case State::Stopping:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return;
  }
}

void ServiceMachine::on(const HealthResult& e) {
  switch (snap_.state) {
    case State::Running:
      if (!health_probe_on_) return;
      if (e.ok) {
        snap_.health = Health::Ok;
        snap_.health_failures = 0;
        return;
      }
      snap_.health = Health::Failing;
      ++snap_.health_failures;
      if (snap_.health_failures >= std::max(policy_.health_failures, 1U)) {
        fail_and_stop("hung: health check failed " + plural(snap_.health_failures, "time"));
      }
      return;
    case State::Stopped:
    case State::Starting:
    case State::Stopping:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return;  // a check that finished after the run it probed
  }
}

// --- Dependencies -----------------------------------------------------------------------

void ServiceMachine::on(const DependenciesChanged& e) {
  snap_.waiting_for = e.waiting_for;
  switch (snap_.state) {
    case State::Starting:
      if (snap_.process != ProcessPhase::None) return;  // already past the wait
      if (snap_.waiting_for.empty()) {
        snap_.reason = start_reason_;
        spawn();
      } else {
        snap_.reason = "waiting for " + snap_.waiting_for;
      }
      return;
    case State::Stopped:
    case State::Running:
    case State::Stopping:
    case State::Backoff:
    case State::Exited:
    case State::Fatal:
      return;  // only a start by request waits for dependencies
  }
}

// --- Helpers ----------------------------------------------------------------------------

void ServiceMachine::cant_happen(const Event& event) {
  note_ = "can't happen: " + to_string(event) + " while " + to_string(snap_.state) + " (" +
          to_string(snap_.process) + ")";
}

void ServiceMachine::enter(State next, std::string reason) {
  if (next != snap_.state) {
    out_.emplace_back(Publish{snap_.state, next, reason});
    snap_.state = next;
    snap_.since = now_;
  }
  snap_.reason = std::move(reason);
}

void ServiceMachine::fresh_start() {
  restart_times_.clear();
  failed_starts_ = 0;
}

void ServiceMachine::begin_start(std::string reason) {
  backoff_deadline_.reset();
  start_reason_ = std::move(reason);
  if (!snap_.waiting_for.empty()) {
    enter(State::Starting, "waiting for " + snap_.waiting_for);
    return;
  }
  enter(State::Starting, start_reason_);
  spawn();
}

void ServiceMachine::spawn() {
  out_.emplace_back(Spawn{});
  snap_.process = ProcessPhase::Spawning;
  snap_.ready = false;
  snap_.health = policy_.has_health ? Health::Unknown : Health::None;
  snap_.health_failures = 0;
  ending_.reset();
  killed_ = false;
  start_secs_passed_ = false;
}

void ServiceMachine::spawned(Pid pid) {
  snap_.process = ProcessPhase::Alive;
  snap_.pid = pid;
  snap_.spawned_at = now_;
  if (policy_.start_secs.count() > 0) {
    start_deadline_ = now_ + policy_.start_secs;
  } else {
    start_secs_passed_ = true;
  }
  if (policy_.readiness == Readiness::Probe) {
    out_.emplace_back(StartReadyProbe{});
    ready_probe_on_ = true;
  }
  if (policy_.readiness != Readiness::None && policy_.ready_timeout.count() > 0) {
    ready_deadline_ = now_ + std::max(policy_.start_secs, policy_.ready_timeout);
  }
  if (policy_.watchdog.count() > 0 && policy_.readiness != Readiness::Notify) {
    watchdog_deadline_ = now_ + policy_.watchdog;  // the watchdog clock starts at spawn
  }
  if (policy_.max_runtime.count() > 0) runtime_deadline_ = now_ + policy_.max_runtime;
  maybe_promote();
}

void ServiceMachine::maybe_promote() {
  if (snap_.state != State::Starting || snap_.process != ProcessPhase::Alive ||
      !start_secs_passed_) {
    return;
  }
  if (policy_.readiness != Readiness::None && !snap_.ready) return;
  start_deadline_.reset();
  ready_deadline_.reset();
  failed_starts_ = 0;  // a start that succeeds resets the backoff
  snap_.ready = true;
  std::string reason;
  switch (policy_.readiness) {
    case Readiness::None:
      reason = policy_.start_secs.count() > 0 ? "up for " + format_duration(policy_.start_secs)
                                              : std::string("started");
      break;
    case Readiness::Notify:
      reason = "sent READY=1";
      break;
    case Readiness::Probe:
      reason = "ready probe passed";
      break;
  }
  enter(State::Running, std::move(reason));
  if (policy_.has_health) {
    out_.emplace_back(StartHealthProbe{});
    health_probe_on_ = true;
    snap_.health = Health::Unknown;
    snap_.health_failures = 0;
  }
}

// Starting or Running, the armed timer fired: whatever is due, failures first.
void ServiceMachine::run_deadlines() {
  if (runtime_deadline_ && now_ >= *runtime_deadline_) {
    return fail_and_stop("hung: max_runtime " + format_duration(policy_.max_runtime) + " exceeded");
  }
  if (watchdog_deadline_ && now_ >= *watchdog_deadline_) return fail_and_stop("hung: watchdog");
  if (snap_.state != State::Starting) return;
  if (ready_deadline_ && now_ >= *ready_deadline_) {
    return fail_and_stop("not ready after " +
                         format_duration(std::max(policy_.start_secs, policy_.ready_timeout)));
  }
  if (start_deadline_ && now_ >= *start_deadline_) {
    start_deadline_.reset();
    start_secs_passed_ = true;
    maybe_promote();
  }
}

// A hang or a start that never became ready: a failure, decided now, applied once the
// stop sequence has brought the group down.
void ServiceMachine::fail_and_stop(std::string reason) {
  ending_ = Ending{reason, true, snap_.state == State::Running};
  begin_stop(AfterStop::Settle, std::move(reason));
}

void ServiceMachine::begin_stop(AfterStop after, std::string reason) {
  after_ = after;
  killed_ = false;
  stop_probes();
  clear_run_deadlines();
  enter(State::Stopping, std::move(reason));
  if (snap_.process == ProcessPhase::Alive || snap_.process == ProcessPhase::GroupOnly) {
    signal_group();
  }
  // Spawning: the signal goes out when Spawned arrives.
}

void ServiceMachine::signal_group() {
  out_.emplace_back(SignalGroup{policy_.stop_signal});
  stop_deadline_ = now_ + policy_.stop_timeout;
}

void ServiceMachine::stop_probes() {
  if (ready_probe_on_) {
    out_.emplace_back(StopReadyProbe{});
    ready_probe_on_ = false;
  }
  if (health_probe_on_) {
    out_.emplace_back(StopHealthProbe{});
    health_probe_on_ = false;
  }
}

void ServiceMachine::clear_run_deadlines() {
  start_deadline_.reset();
  ready_deadline_.reset();
  watchdog_deadline_.reset();
  runtime_deadline_.reset();
}

// Starting or Running, the main process ended on its own.
void ServiceMachine::main_exited(const Exited& e) {
  Ending ending{e.info.describe(), !e.info.success(policy_.success_exit_codes),
                snap_.state == State::Running};
  stop_probes();
  clear_run_deadlines();
  if (!e.group_alive) {
    snap_.process = ProcessPhase::None;
    return settle(ending);
  }
  // What the main process left behind gets the stop sequence before anything else.
  snap_.process = ProcessPhase::GroupOnly;
  after_ = AfterStop::Settle;
  killed_ = false;
  std::string reason = ending.reason + "; stopping the rest of its process group";
  ending_ = std::move(ending);
  enter(State::Stopping, std::move(reason));
  signal_group();
}

// Stopping, and the whole group is gone.
void ServiceMachine::finish_stop() {
  snap_.process = ProcessPhase::None;
  stop_deadline_.reset();
  if (after_ == AfterStop::Settle && ending_) {
    Ending ending = *ending_;
    return settle(ending);
  }
  std::string reason = ending_ ? ending_->reason : exit_text();
  snap_.last_exit = reason;
  snap_.exit_ok = !ending_ && snap_.exit && snap_.exit->success(policy_.success_exit_codes);
  ending_.reset();
  if (after_ == AfterStop::Start) return begin_start(start_reason_);
  enter(State::Stopped, std::move(reason));
}

std::string ServiceMachine::exit_text() const {
  if (!snap_.exit) return "stopped";
  if (killed_ && snap_.exit->signaled && snap_.exit->signal_name == "SIGKILL") {
    return "killed by SIGKILL after stop timeout";
  }
  return snap_.exit->describe();
}

// A run ended (the group is gone): restart at once, back off, or come to rest.
void ServiceMachine::settle(const Ending& ending) {
  snap_.last_exit = ending.reason;
  snap_.exit_ok = !ending.failure;
  ending_.reset();
  const bool restart = policy_.restart == RestartPolicy::Always ||
                       (policy_.restart == RestartPolicy::OnFailure && ending.failure);
  if (!restart) return enter(State::Exited, ending.reason);
  if (!count_restart()) {
    return enter(State::Fatal, ending.reason + "; gave up after " +
                                   plural(policy_.max_restarts, "restart") + " in " +
                                   format_duration(policy_.restart_window));
  }
  if (ending.was_running) {
    start_reason_ = ending.reason + "; restarting";
    enter(State::Starting, start_reason_);
    return spawn();
  }
  ++failed_starts_;
  snap_.backoff_delay = backoff_delay(policy_.backoff, failed_starts_);
  backoff_deadline_ = now_ + snap_.backoff_delay;
  enter(State::Backoff, ending.reason + "; retrying in " + format_duration(snap_.backoff_delay));
}

// Records one automatic restart at now_; false when the window already holds max_restarts.
bool ServiceMachine::count_restart() {
  if (policy_.restart_window.count() > 0) {
    while (!restart_times_.empty() && restart_times_.front() <= now_ - policy_.restart_window) {
      restart_times_.pop_front();
    }
    if (restart_times_.size() >= policy_.max_restarts) return false;
    restart_times_.push_back(now_);
  }
  ++snap_.restarts;
  return true;
}

// One timer per service: arm the earliest deadline that applies to the state, or cancel.
void ServiceMachine::sync_timer() {
  switch (snap_.state) {
    case State::Starting:
    case State::Running:
      stop_deadline_.reset();
      backoff_deadline_.reset();
      break;
    case State::Stopping:
      clear_run_deadlines();
      backoff_deadline_.reset();
      break;
    case State::Backoff:
      clear_run_deadlines();
      stop_deadline_.reset();
      break;
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      clear_run_deadlines();
      stop_deadline_.reset();
      backoff_deadline_.reset();
      break;
  }
  std::optional<TimePoint> earliest;
  for (const auto& d : {start_deadline_, ready_deadline_, watchdog_deadline_, runtime_deadline_,
                        stop_deadline_, backoff_deadline_}) {
    if (d && (!earliest || *d < *earliest)) earliest = d;
  }
  if (earliest == armed_) return;
  ++generation_;  // also makes a firing of the old timer, already queued, stale
  if (earliest) {
    out_.emplace_back(ArmTimer{*earliest, generation_});
  } else {
    out_.emplace_back(CancelTimer{});
  }
  armed_ = earliest;
}

}  // namespace supd::supervisor
