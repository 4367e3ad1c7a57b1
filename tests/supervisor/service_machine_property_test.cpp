// Random event sequences, mostly plausible and some impossible, against random policies: the
// machine never breaks its invariants, and a stop always brings it to rest.
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include <gtest/gtest.h>

#include "supervisor/service_machine.h"
#include "supervisor/test_support.h"

namespace supd::supervisor {
namespace {

class Checker {
 public:
  Checker(std::uint64_t seed, std::set<std::pair<State, State>>* transitions)
      : rng_(seed), transitions_(transitions) {}

  Policy random_policy() {
    Policy p;
    p.restart = pick({RestartPolicy::Always, RestartPolicy::OnFailure, RestartPolicy::Never});
    p.success_exit_codes = coin() ? std::vector<int>{0} : std::vector<int>{0, 3};
    p.backoff = {Duration(upto(2000)), Duration(upto(10'000)), coin() ? 2.0 : 1.5};
    p.start_secs = Duration(upto(2000));
    p.max_restarts = static_cast<unsigned>(upto(6));
    p.restart_window = Duration(upto(60'000));
    p.stop_signal = pick({StopSignal::Term, StopSignal::Int, StopSignal::Kill});
    p.stop_timeout = Duration(upto(10'000));
    p.readiness = pick({Readiness::None, Readiness::Notify, Readiness::Probe});
    p.ready_timeout = Duration(upto(5000));
    p.watchdog = coin() ? Duration(0) : Duration(upto(3000));
    p.has_health = coin();
    p.health_failures = static_cast<unsigned>(upto(3));
    p.max_runtime = coin() ? Duration(0) : Duration(upto(20'000));
    return p;
  }

  // One run: `steps` random events, then a stop that must reach rest.
  void run(int steps) {
    machine_.emplace(random_policy(), clock_.now());
    for (int i = 0; i < steps; ++i) {
      Event event = random_event();
      SCOPED_TRACE("step " + std::to_string(i) + ": " + to_string(event));
      feed(event);
      if (::testing::Test::HasFailure()) return;
    }
    drain_to_rest();
  }

 private:
  bool coin() { return std::uniform_int_distribution<int>(0, 1)(rng_) == 1; }
  std::int64_t upto(std::int64_t n) {
    return std::uniform_int_distribution<std::int64_t>(0, n)(rng_);
  }
  template <class T>
  T pick(std::initializer_list<T> options) {
    auto i = std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng_);
    return *(options.begin() + static_cast<std::ptrdiff_t>(i));
  }

  ExitInfo random_exit() {
    switch (upto(3)) {
      case 0:
        return exit_code(0);
      case 1:
        return exit_code(3);
      case 2:
        return killed_by("SIGKILL");
      default:
        return killed_by("SIGSEGV", true);
    }
  }

  Event random_event() {
    const Snapshot& s = machine_->snapshot();
    clock_.advance(Duration(upto(coin() ? 50 : 3000)));
    const auto roll = upto(99);
    if (roll < 20 && machine_->armed_deadline()) {
      if (*machine_->armed_deadline() > clock_.now()) clock_.set(*machine_->armed_deadline());
      return TimerFired{machine_->timer_generation()};
    }
    if (roll < 40) {  // what the runtime would plausibly report next
      switch (s.process) {
        case ProcessPhase::Spawning:
          if (coin()) return Spawned{next_pid_++};
          return SpawnFailed{"No such file or directory"};
        case ProcessPhase::Alive:
          return Exited{random_exit(), upto(3) == 0};
        case ProcessPhase::GroupOnly:
          return GroupEmpty{};
        case ProcessPhase::None:
          break;
      }
    }
    switch (upto(14)) {
      case 0:
      case 1:
        return Start{};
      case 2:
        return Stop{};
      case 3:
        return Restart{};
      case 4:
      case 5:
        return ReadyNotified{};
      case 6:
        return WatchdogPing{};
      case 7:
      case 8:
        return HealthResult{coin()};
      case 9:
        return DependenciesChanged{coin() ? "" : "db"};
      case 10:  // the impossible ones
        return Spawned{next_pid_++};
      case 11:
        return SpawnFailed{"bad"};
      case 12:
        return Exited{random_exit(), coin()};
      case 13:
        return TimerFired{static_cast<std::uint64_t>(upto(50))};
      default:
        return GroupEmpty{};
    }
  }

  void feed(const Event& event) {
    const Snapshot before = machine_->snapshot();
    Step step = machine_->handle(event, clock_.now());
    const Snapshot& after = machine_->snapshot();
    SCOPED_TRACE(std::string("from ") + to_string(before.state) + " (" + to_string(before.process) +
                 ") to " + to_string(after.state) + " (" + to_string(after.process) + ")");

    const bool may_note = std::holds_alternative<Spawned>(event) ||
                          std::holds_alternative<SpawnFailed>(event) ||
                          std::holds_alternative<Exited>(event);
    if (!may_note) {
      EXPECT_EQ(step.cant_happen, "");
    }
    if (!step.cant_happen.empty()) {
      EXPECT_TRUE(step.actions.empty());
    }

    State published = before.state;
    int spawns = 0;
    int timer_actions = 0;
    for (const Action& action : step.actions) {
      SCOPED_TRACE(to_string(action));
      if (const auto* p = std::get_if<Publish>(&action)) {
        EXPECT_EQ(p->from, published);
        transitions_->insert({p->from, p->to});
        EXPECT_NE(p->from, p->to);
        published = p->to;
      } else if (std::holds_alternative<Spawn>(action)) {
        ++spawns;
        // Only once the previous process is known to be gone: before this step, or by the
        // very event that reports it gone.
        const auto* exited = std::get_if<Exited>(&event);
        const bool ended_now =
            (before.process == ProcessPhase::Alive && exited != nullptr && !exited->group_alive) ||
            (before.process == ProcessPhase::GroupOnly &&
             std::holds_alternative<GroupEmpty>(event)) ||
            (before.process == ProcessPhase::Spawning &&
             std::holds_alternative<SpawnFailed>(event));
        EXPECT_TRUE(before.process == ProcessPhase::None || ended_now)
            << "Spawn while a process is alive";
      } else if (std::holds_alternative<SignalGroup>(action) ||
                 std::holds_alternative<KillGroup>(action)) {
        EXPECT_TRUE(after.process == ProcessPhase::Alive ||
                    after.process == ProcessPhase::GroupOnly)
            << "signal with no process group";
      } else if (const auto* arm = std::get_if<ArmTimer>(&action)) {
        ++timer_actions;
        EXPECT_GT(arm->generation, last_generation_);
        last_generation_ = arm->generation;
      } else if (std::holds_alternative<CancelTimer>(action)) {
        ++timer_actions;
      } else if (std::holds_alternative<StartReadyProbe>(action)) {
        EXPECT_FALSE(ready_probe_) << "ready probe started twice";
        ready_probe_ = true;
      } else if (std::holds_alternative<StopReadyProbe>(action)) {
        EXPECT_TRUE(ready_probe_) << "ready probe stopped while not running";
        ready_probe_ = false;
      } else if (std::holds_alternative<StartHealthProbe>(action)) {
        EXPECT_FALSE(health_probe_) << "health probe started twice";
        health_probe_ = true;
      } else if (std::holds_alternative<StopHealthProbe>(action)) {
        EXPECT_TRUE(health_probe_) << "health probe stopped while not running";
        health_probe_ = false;
      }
    }
    EXPECT_EQ(published, after.state) << "Publish actions do not end in the new state";
    EXPECT_LE(spawns, 1);
    EXPECT_LE(timer_actions, 1);
    if (spawns == 1) {
      EXPECT_EQ(after.process, ProcessPhase::Spawning);
    }

    // The state and the processes agree.
    EXPECT_EQ(after.pid.has_value(), after.process == ProcessPhase::Alive);
    switch (after.state) {
      case State::Stopped:
      case State::Exited:
      case State::Fatal:
        EXPECT_EQ(after.process, ProcessPhase::None);
        EXPECT_FALSE(machine_->armed_deadline());
        EXPECT_FALSE(ready_probe_ || health_probe_);
        break;
      case State::Backoff:
        EXPECT_EQ(after.process, ProcessPhase::None);
        EXPECT_TRUE(machine_->armed_deadline());
        EXPECT_FALSE(ready_probe_ || health_probe_);
        break;
      case State::Starting:
        EXPECT_NE(after.process, ProcessPhase::GroupOnly);
        EXPECT_FALSE(health_probe_);
        break;
      case State::Running:
        EXPECT_EQ(after.process, ProcessPhase::Alive);
        EXPECT_TRUE(after.ready);
        EXPECT_FALSE(ready_probe_);
        EXPECT_EQ(health_probe_, machine_->policy().has_health);
        break;
      case State::Stopping:
        EXPECT_NE(after.process, ProcessPhase::None);
        EXPECT_EQ(machine_->armed_deadline().has_value(), after.process != ProcessPhase::Spawning);
        EXPECT_FALSE(ready_probe_ || health_probe_);
        break;
    }
    if (after.state == State::Fatal && before.state != State::Fatal) {
      EXPECT_NE(machine_->policy().restart, RestartPolicy::Never) << "fatal without restarts";
    }
    EXPECT_GE(after.restarts, before.restarts);
    if (after.state != before.state) {
      EXPECT_EQ(after.since, clock_.now());
    }
  }

  // Stop, then answer like a runtime until the service is at rest.
  void drain_to_rest() {
    SCOPED_TRACE("draining");
    feed(Stop{});
    for (int i = 0; i < 20 && !is_at_rest(machine_->snapshot().state); ++i) {
      switch (machine_->snapshot().process) {
        case ProcessPhase::Spawning:
          feed(Spawned{next_pid_++});
          break;
        case ProcessPhase::Alive:
          if (coin()) {
            feed(Exited{killed_by("SIGTERM"), coin()});
          } else {
            clock_.set(*machine_->armed_deadline());
            feed(TimerFired{machine_->timer_generation()});
          }
          break;
        case ProcessPhase::GroupOnly:
          feed(GroupEmpty{});
          break;
        case ProcessPhase::None:
          feed(Stop{});
          break;
      }
    }
    EXPECT_TRUE(is_at_rest(machine_->snapshot().state));
  }

  std::mt19937_64 rng_;
  std::set<std::pair<State, State>>* transitions_;
  FakeClock clock_;
  std::optional<ServiceMachine> machine_;
  Pid next_pid_ = 1;
  std::uint64_t last_generation_ = 0;
  bool ready_probe_ = false;
  bool health_probe_ = false;
};

TEST(ServiceMachinePropertyTest, RandomEventsNeverBreakTheInvariants) {
  std::set<std::pair<State, State>> transitions;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Checker checker(seed, &transitions);
    checker.run(500);
    if (::testing::Test::HasFailure()) return;  // one seed's story is enough to read
  }
  // The walk must have gone everywhere, or it proves little.
  const std::set<std::pair<State, State>> expected = {
      {State::Stopped, State::Starting},  {State::Starting, State::Running},
      {State::Starting, State::Stopping}, {State::Starting, State::Backoff},
      {State::Starting, State::Exited},   {State::Starting, State::Fatal},
      {State::Starting, State::Stopped},  {State::Running, State::Starting},
      {State::Running, State::Stopping},  {State::Running, State::Exited},
      {State::Running, State::Fatal},     {State::Stopping, State::Stopped},
      {State::Stopping, State::Starting}, {State::Stopping, State::Backoff},
      {State::Stopping, State::Exited},   {State::Stopping, State::Fatal},
      {State::Backoff, State::Starting},  {State::Backoff, State::Stopped},
      {State::Exited, State::Starting},   {State::Fatal, State::Starting},
  };
  for (const auto& [from, to] : expected) {
    EXPECT_EQ(transitions.count({from, to}), 1U)
        << "never saw " << to_string(from) << " -> " << to_string(to);
  }
}

}  // namespace
}  // namespace supd::supervisor
