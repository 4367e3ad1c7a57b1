// Random dependency graphs, random requests and plausible runtime events: the Supervisor
// never feeds a machine an event it cannot use, and stop_all always ends with every service
// at rest, each stopped only after its dependents.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "supervisor/supervisor.h"
#include "supervisor/test_support.h"

namespace supd::supervisor {
namespace {

class World {
 public:
  explicit World(std::uint64_t seed) : rng_(seed) {
    std::vector<ServiceSpec> specs;
    const int n = 3 + static_cast<int>(upto(6));
    for (int i = 0; i < n; ++i) {
      ServiceSpec spec{"s" + std::to_string(i), random_policy()};
      for (int j = 0; j < i; ++j) {
        if (upto(9) < 3) {
          spec.policy.dependencies.push_back(
              {"s" + std::to_string(j),
               static_cast<DependencyCondition>(upto(3))});  // started .. completed
        }
      }
      for (const auto& d : spec.policy.dependencies) dependents_[d.name].push_back(spec.name);
      names_.push_back(spec.name);
      specs.push_back(std::move(spec));
    }
    std::string error;
    sup_ = Supervisor::create(std::move(specs), clock_.now(), &error);
    EXPECT_TRUE(sup_) << error;
  }

  void run(int steps) {
    take(sup_->start_all(clock_.now()), "start_all");
    for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) random_step();
    if (::testing::Test::HasFailure()) return;
    shutting_down_ = true;
    take(sup_->stop_all(clock_.now(), "shutting down"), "stop_all");
    for (int i = 0; i < 5000 && !sup_->all_at_rest() && !::testing::Test::HasFailure(); ++i) {
      if (!drain_step()) {
        ADD_FAILURE() << "stop_all is stuck: nothing left to happen, yet not all at rest";
        return;
      }
    }
    EXPECT_TRUE(sup_->all_at_rest());
  }

 private:
  std::int64_t upto(std::int64_t n) {
    return std::uniform_int_distribution<std::int64_t>(0, n)(rng_);
  }
  bool coin() { return upto(1) == 1; }
  const std::string& any_name() {
    return names_[static_cast<std::size_t>(upto(static_cast<std::int64_t>(names_.size()) - 1))];
  }
  std::vector<std::string> some_names() {
    std::vector<std::string> out;
    for (const auto& n : names_) {
      if (upto(3) == 0) out.push_back(n);
    }
    return out;
  }

  Policy random_policy() {
    Policy p;
    p.restart = static_cast<RestartPolicy>(upto(2));
    p.start_secs = Duration(upto(1500));
    p.max_restarts = static_cast<unsigned>(upto(4));
    p.readiness = coin() ? Readiness::None : Readiness::Notify;
    p.ready_timeout = Duration(upto(3000));
    p.has_health = coin();
    p.watchdog = coin() ? Duration(0) : Duration(upto(4000));
    p.stop_timeout = Duration(upto(3000));
    p.autostart = upto(3) != 0;
    return p;
  }

  // Events a runtime could report for `name` now.
  std::vector<Event> plausible(const std::string& name) {
    const Snapshot& s = *sup_->snapshot(name);
    std::vector<Event> events;
    switch (s.process) {
      case ProcessPhase::Spawning:
        events.push_back(Spawned{next_pid_++});
        events.push_back(SpawnFailed{"Permission denied"});
        break;
      case ProcessPhase::Alive:
        events.push_back(Exited{coin() ? exit_code(0) : killed_by("SIGTERM"), upto(3) == 0});
        events.push_back(ReadyNotified{});
        events.push_back(WatchdogPing{});
        events.push_back(HealthResult{coin()});
        break;
      case ProcessPhase::GroupOnly:
        events.push_back(GroupEmpty{});
        break;
      case ProcessPhase::None:
        break;
    }
    if (const ServiceMachine* m = sup_->machine(name); m->armed_deadline()) {
      events.push_back(TimerFired{m->timer_generation()});
    }
    return events;
  }

  void deliver(const std::string& name, const Event& event) {
    if (const auto* fired = std::get_if<TimerFired>(&event)) {
      const ServiceMachine* m = sup_->machine(name);
      if (fired->generation == m->timer_generation() && *m->armed_deadline() > clock_.now()) {
        clock_.set(*m->armed_deadline());
      }
    }
    take(sup_->handle(name, event, clock_.now()), name + " <- " + to_string(event));
  }

  void random_step() {
    clock_.advance(Duration(upto(200)));
    const auto roll = upto(99);
    if (roll < 5) return take(sup_->start(some_names(), clock_.now()), "start");
    if (roll < 8) return take(sup_->stop(some_names(), clock_.now()), "stop");
    if (roll < 10) return take(sup_->restart(some_names(), clock_.now()), "restart");
    const std::string& name = any_name();
    auto events = plausible(name);
    if (events.empty()) return;
    deliver(name,
            events[static_cast<std::size_t>(upto(static_cast<std::int64_t>(events.size()) - 1))]);
  }

  // During shutdown: the processes die when told (or at the kill), timers fire.
  bool drain_step() {
    std::vector<std::pair<std::string, Event>> options;
    for (const auto& name : names_) {
      const Snapshot& s = *sup_->snapshot(name);
      if (is_at_rest(s.state)) continue;
      for (auto& e : plausible(name)) {
        const bool exit = std::holds_alternative<Exited>(e);
        if (exit && s.state != State::Stopping) continue;  // services die when told to
        if (exit || std::holds_alternative<Spawned>(e) || std::holds_alternative<GroupEmpty>(e) ||
            std::holds_alternative<TimerFired>(e)) {
          options.emplace_back(name, std::move(e));
        }
      }
    }
    if (options.empty()) return false;
    auto& [name, event] =
        options[static_cast<std::size_t>(upto(static_cast<std::int64_t>(options.size()) - 1))];
    deliver(name, event);
    return true;
  }

  void take(const Output& out, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_TRUE(out.notes.empty()) << out.notes.front();
    EXPECT_TRUE(out.removed.empty());
    std::map<std::string, State> published;
    for (const auto& [service, action] : out.actions) {
      const auto* p = std::get_if<Publish>(&action);
      if (p == nullptr) continue;
      auto [it, first] = published.emplace(service, p->to);
      if (!first) it->second = p->to;
      // Stop order: a service stopped by the shutdown has no dependent still up.
      if (shutting_down_ && p->to == State::Stopping && p->reason == "shutting down") {
        stopped_for_shutdown_.push_back(service);
      }
    }
    for (const auto& [service, state] : published) {
      EXPECT_EQ(sup_->snapshot(service)->state, state) << service;
    }
    for (const auto& service : stopped_for_shutdown_) {
      for (const auto& dependent : dependents_[service]) {
        const State s = sup_->snapshot(dependent)->state;
        EXPECT_TRUE(is_at_rest(s))
            << service << " stopped while its dependent " << dependent << " is " << to_string(s);
      }
    }
    stopped_for_shutdown_.clear();
  }

  std::mt19937_64 rng_;
  FakeClock clock_;
  std::optional<Supervisor> sup_;
  std::vector<std::string> names_;
  std::map<std::string, std::vector<std::string>> dependents_;
  std::vector<std::string> stopped_for_shutdown_;
  bool shutting_down_ = false;
  Pid next_pid_ = 1;
};

TEST(SupervisorPropertyTest, RandomWorldsShutDownCleanlyInDependencyOrder) {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    World world(seed);
    world.run(400);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace supd::supervisor
