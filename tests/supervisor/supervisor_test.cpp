// All services together: dependency gating, start and stop order, reload.
#include "supervisor/supervisor.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "supervisor/test_support.h"

namespace supd::supervisor {
namespace {

using Actions = std::vector<ServiceAction>;
using Names = std::vector<std::string>;
using DC = DependencyCondition;

Policy policy(std::vector<Dependency> deps = {}, bool autostart = true) {
  Policy p;
  p.dependencies = std::move(deps);
  p.autostart = autostart;
  return p;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void make(std::vector<ServiceSpec> services) {
    std::string error;
    sup_ = Supervisor::create(std::move(services), clock_.now(), &error);
    ASSERT_TRUE(sup_) << error;
  }

  // The actions of `out`, with ArmTimer written as armed_in() writes it (deadline relative
  // to now, generation 0) so that expectations are easy to spell.
  Actions actions(Output out) {
    for (auto& a : out.actions) {
      if (auto* arm = std::get_if<ArmTimer>(&a.action)) {
        *arm = ArmTimer{TimePoint{} + (arm->deadline - clock_.now()), 0};
      }
    }
    return out.actions;
  }
  static ArmTimer armed_in(Duration d) { return ArmTimer{TimePoint{} + d, 0}; }

  Actions start_all() { return actions(sup_->start_all(clock_.now())); }
  Actions stop_all() { return actions(sup_->stop_all(clock_.now())); }
  Actions send(const std::string& name, const Event& e) {
    return actions(sup_->handle(name, e, clock_.now()));
  }
  // Fires `name`'s timer at its deadline.
  Actions fire(const std::string& name) {
    const ServiceMachine* m = sup_->machine(name);
    clock_.set(*m->armed_deadline());
    return send(name, TimerFired{m->timer_generation()});
  }
  // A service whose Spawn is pending becomes running.
  void bring_up(const std::string& name, Pid pid) {
    send(name, Spawned{pid});
    fire(name);
    ASSERT_EQ(state(name), State::Running) << name;
  }
  State state(const std::string& name) { return sup_->snapshot(name)->state; }

  FakeClock clock_;
  std::optional<Supervisor> sup_;
};

// --- dependency gating ------------------------------------------------------------------

TEST_F(SupervisorTest, StartAllStartsDependenciesFirstAndDependentsWait) {
  make({{"web", policy({{"db", DC::Ready}})}, {"db", policy()}});
  EXPECT_EQ(start_all(),
            (Actions{{"db", Publish{State::Stopped, State::Starting, "start requested"}},
                     {"db", Spawn{}},
                     {"web", Publish{State::Stopped, State::Starting, "waiting for db"}}}));
  EXPECT_EQ(send("db", Spawned{10}), (Actions{{"db", armed_in(1s)}}));
  EXPECT_EQ(fire("db"), (Actions{{"db", Publish{State::Starting, State::Running, "up for 1s"}},
                                 {"web", Spawn{}}}));
  EXPECT_EQ(sup_->snapshot("web")->reason, "start requested");
  EXPECT_EQ(sup_->snapshot("web")->waiting_for, "");
}

TEST_F(SupervisorTest, StartedConditionIsMetOnceTheDependencyIsSpawned) {
  make({{"db", policy()}, {"web", policy({{"db", DC::Started}})}});
  start_all();
  EXPECT_EQ(send("db", Spawned{10}), (Actions{{"db", armed_in(1s)}, {"web", Spawn{}}}));
}

TEST_F(SupervisorTest, WaitingNamesEveryUnmetDependency) {
  make({{"db", policy()}, {"cache", policy()}, {"web", policy({{"db"}, {"cache"}})}});
  start_all();
  EXPECT_EQ(sup_->snapshot("web")->reason, "waiting for db, cache");
  send("db", Spawned{10});
  EXPECT_EQ(sup_->snapshot("web")->reason, "waiting for cache");
  EXPECT_EQ(send("cache", Spawned{11}), (Actions{{"cache", armed_in(1s)}, {"web", Spawn{}}}));
}

TEST_F(SupervisorTest, HealthyWaitsForTheFirstPassingCheck) {
  Policy db = policy();
  db.has_health = true;
  make({{"db", db}, {"web", policy({{"db", DC::Healthy}})}});
  start_all();
  send("db", Spawned{10});
  EXPECT_EQ(fire("db"), (Actions{{"db", Publish{State::Starting, State::Running, "up for 1s"}},
                                 {"db", StartHealthProbe{}}}));
  EXPECT_EQ(send("db", HealthResult{false}), Actions{});
  EXPECT_EQ(send("db", HealthResult{true}), (Actions{{"web", Spawn{}}}));
}

TEST_F(SupervisorTest, CompletedWaitsForASuccessfulExit) {
  make({{"migrate", policy()}, {"web", policy({{"migrate", DC::Completed}})}});
  start_all();
  send("migrate", Spawned{10});
  fire("migrate");
  EXPECT_EQ(
      send("migrate", Exited{exit_code(0)}),
      (Actions{{"migrate", Publish{State::Running, State::Exited, "exited 0"}}, {"web", Spawn{}}}));
}

TEST_F(SupervisorTest, FailedOneShotKeepsItsDependentWaiting) {
  Policy migrate = policy();
  migrate.restart = RestartPolicy::Never;
  make({{"migrate", migrate}, {"web", policy({{"migrate", DC::Completed}})}});
  start_all();
  send("migrate", Spawned{10});
  EXPECT_EQ(send("migrate", Exited{exit_code(1)}),
            (Actions{{"migrate", Publish{State::Starting, State::Exited, "exited 1"}},
                     {"migrate", CancelTimer{}}}));
  EXPECT_EQ(state("web"), State::Starting);
  EXPECT_EQ(sup_->snapshot("web")->reason, "waiting for migrate");
}

TEST_F(SupervisorTest, DependencyGoingFatalKeepsDependentWaiting) {
  Policy db = policy();
  db.max_restarts = 1;
  make({{"db", db}, {"web", policy({{"db", DC::Ready}})}});
  start_all();
  send("db", Spawned{10});
  send("db", Exited{exit_code(1)});
  fire("db");  // backoff over
  send("db", Spawned{11});
  EXPECT_EQ(send("db", Exited{exit_code(1)}),
            (Actions{{"db", Publish{State::Starting, State::Fatal,
                                    "exited 1; gave up after 1 restart in 1m"}},
                     {"db", CancelTimer{}}}));
  EXPECT_EQ(state("web"), State::Starting);
  EXPECT_EQ(sup_->snapshot("web")->reason, "waiting for db");
  EXPECT_EQ(sup_->snapshot("web")->process, ProcessPhase::None);

  // A start takes db out of fatal; once it runs, web goes on.
  EXPECT_EQ(actions(sup_->start({"db"}, clock_.now())),
            (Actions{{"db", Publish{State::Fatal, State::Starting, "start requested"}},
                     {"db", Spawn{}}}));
  send("db", Spawned{12});
  EXPECT_EQ(fire("db"), (Actions{{"db", Publish{State::Starting, State::Running, "up for 1s"}},
                                 {"web", Spawn{}}}));
}

TEST_F(SupervisorTest, RunningDependentsKeepRunningWhenTheirDependencyDies) {
  Policy db = policy();
  db.restart = RestartPolicy::Never;
  make({{"db", db}, {"web", policy({{"db", DC::Ready}})}});
  start_all();
  bring_up("db", 10);
  bring_up("web", 20);
  EXPECT_EQ(send("db", Exited{exit_code(1)}),
            (Actions{{"db", Publish{State::Running, State::Exited, "exited 1"}}}));
  EXPECT_EQ(state("web"), State::Running);
  EXPECT_EQ(sup_->snapshot("web")->waiting_for, "db");
  // A crash of web is restarted at once, without waiting for db ...
  EXPECT_EQ(send("web", Exited{exit_code(1)}),
            (Actions{{"web", Publish{State::Running, State::Starting, "exited 1; restarting"}},
                     {"web", Spawn{}}}));
  // ... but a restart by request waits.
  bring_up("web", 21);
  actions(sup_->restart({"web"}, clock_.now()));
  EXPECT_EQ(send("web", Exited{killed_by("SIGTERM")}),
            (Actions{{"web", Publish{State::Stopping, State::Starting, "waiting for db"}},
                     {"web", CancelTimer{}}}));
}

TEST_F(SupervisorTest, StartPullsInStoppedDependencies) {
  make({{"db", policy({}, false)}, {"web", policy({{"db", DC::Ready}})}});
  EXPECT_EQ(start_all(),
            (Actions{{"db", Publish{State::Stopped, State::Starting, "needed by web"}},
                     {"db", Spawn{}},
                     {"web", Publish{State::Stopped, State::Starting, "waiting for db"}}}));
}

TEST_F(SupervisorTest, StartPullsInTransitiveDependencies) {
  make({{"db", policy({}, false)},
        {"api", policy({{"db"}}, false)},
        {"web", policy({{"api"}}, false)},
        {"other", policy({}, false)}});
  EXPECT_EQ(actions(sup_->start({"web"}, clock_.now())),
            (Actions{{"db", Publish{State::Stopped, State::Starting, "needed by api"}},
                     {"db", Spawn{}},
                     {"api", Publish{State::Stopped, State::Starting, "waiting for db"}},
                     {"web", Publish{State::Stopped, State::Starting, "waiting for api"}}}));
}

TEST_F(SupervisorTest, StartDoesNotPullInExitedDependencies) {
  Policy db = policy();
  db.restart = RestartPolicy::Never;
  make({{"db", db}, {"web", policy({{"db", DC::Ready}}, false)}});
  start_all();
  send("db", Spawned{10});
  send("db", Exited{exit_code(1)});
  ASSERT_EQ(state("db"), State::Exited);
  EXPECT_EQ(actions(sup_->start({"web"}, clock_.now())),
            (Actions{{"web", Publish{State::Stopped, State::Starting, "waiting for db"}}}));
}

TEST_F(SupervisorTest, UnknownServicesAreNoted) {
  make({{"web", policy()}});
  Output out = sup_->handle("nope", Spawned{1}, clock_.now());
  EXPECT_TRUE(out.actions.empty());
  EXPECT_EQ(out.notes, Names{"no such service: nope (Spawned{1})"});
  out = sup_->start({"nope", "web"}, clock_.now());
  EXPECT_EQ(out.notes, Names{"no such service: nope"});
  EXPECT_EQ(state("web"), State::Starting);
}

TEST_F(SupervisorTest, CantHappenNotesNameTheService) {
  make({{"web", policy()}});
  Output out = sup_->handle("web", Exited{exit_code(0)}, clock_.now());
  EXPECT_EQ(out.notes, Names{"web: can't happen: Exited{exited 0} while stopped (none)"});
}

TEST_F(SupervisorTest, CreateRejectsACycle) {
  std::string error;
  auto s =
      Supervisor::create({{"a", policy({{"b"}})}, {"b", policy({{"a"}})}}, clock_.now(), &error);
  EXPECT_FALSE(s);
  EXPECT_EQ(error, "dependency cycle: a -> b -> a");
}

// --- stop order -------------------------------------------------------------------------

TEST_F(SupervisorTest, StopAllInReverseDependencyOrder) {
  make({{"db", policy()}, {"api", policy({{"db"}})}, {"web", policy({{"api"}})}});
  start_all();
  bring_up("db", 10);
  bring_up("api", 20);
  bring_up("web", 30);

  EXPECT_EQ(stop_all(),
            (Actions{{"web", Publish{State::Running, State::Stopping, "stop requested"}},
                     {"web", SignalGroup{StopSignal::Term}},
                     {"web", armed_in(10s)}}));
  EXPECT_EQ(send("web", Exited{killed_by("SIGTERM")}),
            (Actions{{"web", Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}},
                     {"web", CancelTimer{}},
                     {"api", Publish{State::Running, State::Stopping, "stop requested"}},
                     {"api", SignalGroup{StopSignal::Term}},
                     {"api", armed_in(10s)}}));
  EXPECT_FALSE(sup_->all_at_rest());
  EXPECT_EQ(send("api", Exited{killed_by("SIGTERM")}),
            (Actions{{"api", Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}},
                     {"api", CancelTimer{}},
                     {"db", Publish{State::Running, State::Stopping, "stop requested"}},
                     {"db", SignalGroup{StopSignal::Term}},
                     {"db", armed_in(10s)}}));
  send("db", Exited{killed_by("SIGTERM")});
  EXPECT_TRUE(sup_->all_at_rest());
}

TEST_F(SupervisorTest, StopAllWaitsForADependentThatNeedsTheKill) {
  make({{"db", policy()}, {"web", policy({{"db"}})}});
  start_all();
  bring_up("db", 10);
  bring_up("web", 20);
  actions(sup_->stop_all(clock_.now(), "shutting down"));
  EXPECT_EQ(fire("web"), (Actions{{"web", KillGroup{}}, {"web", armed_in(5s)}}));
  EXPECT_EQ(state("db"), State::Running);
  EXPECT_EQ(send("web", Exited{killed_by("SIGKILL")}),
            (Actions{{"web", Publish{State::Stopping, State::Stopped,
                                     "killed by SIGKILL after stop timeout"}},
                     {"web", CancelTimer{}},
                     {"db", Publish{State::Running, State::Stopping, "shutting down"}},
                     {"db", SignalGroup{StopSignal::Term}},
                     {"db", armed_in(10s)}}));
}

TEST_F(SupervisorTest, ADependencyKilledWhileItsStopIsHeldBackIsNotRestarted) {
  // Shutdown: web is being stopped, db waits for it. The shutdown timeout SIGKILLs both:
  // db dies before its own Stop was sent, and must settle instead of restarting.
  make({{"db", policy()}, {"web", policy({{"db"}})}});
  start_all();
  bring_up("db", 10);
  bring_up("web", 20);
  actions(sup_->stop_all(clock_.now(), "shutting down"));
  ASSERT_EQ(state("db"), State::Running);
  const Actions db_exit = send("db", Exited{killed_by("SIGKILL")});
  EXPECT_EQ(state("db"), State::Stopped);
  for (const ServiceAction& a : db_exit) {
    EXPECT_FALSE(std::holds_alternative<Spawn>(a.action)) << to_string(a.action);
  }
  send("web", Exited{killed_by("SIGKILL")});
  EXPECT_TRUE(sup_->all_at_rest());
}

TEST_F(SupervisorTest, StopAllStopsIndependentServicesTogether) {
  make({{"a", policy()}, {"b", policy()}});
  start_all();
  bring_up("a", 10);
  bring_up("b", 20);
  EXPECT_EQ(stop_all(), (Actions{{"b", Publish{State::Running, State::Stopping, "stop requested"}},
                                 {"b", SignalGroup{StopSignal::Term}},
                                 {"b", armed_in(10s)},
                                 {"a", Publish{State::Running, State::Stopping, "stop requested"}},
                                 {"a", SignalGroup{StopSignal::Term}},
                                 {"a", armed_in(10s)}}));
}

TEST_F(SupervisorTest, StopAllEndsWaitsAndBackoffsAtOnce) {
  Policy db = policy();
  db.max_restarts = 0;  // the first failure is fatal
  make({{"db", db}, {"web", policy({{"db"}})}, {"job", policy()}});
  start_all();
  send("db", SpawnFailed{"Permission denied"});
  ASSERT_EQ(state("db"), State::Fatal);
  EXPECT_EQ(sup_->snapshot("db")->reason,
            "spawn failed: Permission denied; gave up after 0 restarts in 1m");
  send("job", SpawnFailed{"Permission denied"});
  ASSERT_EQ(state("job"), State::Backoff);
  EXPECT_EQ(stop_all(),
            (Actions{{"job", Publish{State::Backoff, State::Stopped, "stop requested"}},
                     {"job", CancelTimer{}},
                     {"web", Publish{State::Starting, State::Stopped, "stop requested"}}}));
  EXPECT_TRUE(sup_->all_at_rest());
  EXPECT_EQ(state("db"), State::Fatal);
}

TEST_F(SupervisorTest, StopOfOneServiceLeavesItsDependentsRunning) {
  make({{"db", policy()}, {"web", policy({{"db"}})}});
  start_all();
  bring_up("db", 10);
  bring_up("web", 20);
  EXPECT_EQ(actions(sup_->stop({"db"}, clock_.now())),
            (Actions{{"db", Publish{State::Running, State::Stopping, "stop requested"}},
                     {"db", SignalGroup{StopSignal::Term}},
                     {"db", armed_in(10s)}}));
  EXPECT_EQ(state("web"), State::Running);
}

TEST_F(SupervisorTest, StartDuringStopAllTakesTheServiceBack) {
  make({{"db", policy()}, {"web", policy({{"db"}})}});
  start_all();
  bring_up("db", 10);
  bring_up("web", 20);
  stop_all();
  // db is still waiting for web to stop; starting web again cancels both stops.
  actions(sup_->start({"web"}, clock_.now()));
  EXPECT_EQ(send("web", Exited{killed_by("SIGTERM")}),
            (Actions{{"web", Publish{State::Stopping, State::Starting, "start requested"}},
                     {"web", Spawn{}},
                     {"web", CancelTimer{}}}));
  EXPECT_EQ(state("db"), State::Running);
}

// --- reload -----------------------------------------------------------------------------

TEST_F(SupervisorTest, ReloadStopsRemovedServicesThenForgetsThem) {
  make({{"a", policy()}, {"b", policy()}});
  start_all();
  bring_up("a", 10);
  bring_up("b", 20);
  std::string error;
  auto out = sup_->reload({{"a", policy()}}, {}, clock_.now(), &error);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(actions(*out),
            (Actions{{"b", Publish{State::Running, State::Stopping, "removed from the config"}},
                     {"b", SignalGroup{StopSignal::Term}},
                     {"b", armed_in(10s)}}));
  EXPECT_TRUE(sup_->contains("b"));
  EXPECT_EQ(sup_->names(), (Names{"a", "b"}));
  Output gone = sup_->handle("b", Exited{killed_by("SIGTERM")}, clock_.now());
  EXPECT_EQ(gone.removed, Names{"b"});
  EXPECT_FALSE(sup_->contains("b"));
  EXPECT_EQ(sup_->names(), Names{"a"});
  EXPECT_FALSE(sup_->all_at_rest());
}

TEST_F(SupervisorTest, ReloadRemovesAStoppedServiceAtOnce) {
  make({{"a", policy({}, false)}});
  std::string error;
  auto out = sup_->reload({}, {}, clock_.now(), &error);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->removed, Names{"a"});
  EXPECT_FALSE(sup_->contains("a"));
}

TEST_F(SupervisorTest, ReloadStopsRemovedDependentsFirst) {
  make({{"db", policy()}, {"api", policy({{"db"}})}, {"keep", policy()}});
  start_all();
  bring_up("db", 10);
  bring_up("api", 20);
  std::string error;
  auto out = sup_->reload({{"keep", policy()}}, {}, clock_.now(), &error);
  ASSERT_TRUE(out);
  EXPECT_EQ(actions(*out),
            (Actions{{"api", Publish{State::Running, State::Stopping, "removed from the config"}},
                     {"api", SignalGroup{StopSignal::Term}},
                     {"api", armed_in(10s)}}));
  Output next = sup_->handle("api", Exited{killed_by("SIGTERM")}, clock_.now());
  EXPECT_EQ(next.removed, Names{"api"});
  EXPECT_EQ(state("db"), State::Stopping);
}

TEST_F(SupervisorTest, ReloadRestartsChangedServicesThatRun) {
  make({{"a", policy()}, {"b", policy()}, {"c", policy({}, false)}});
  start_all();
  bring_up("a", 10);
  bring_up("b", 20);
  Policy a = policy();
  a.stop_signal = StopSignal::Int;
  std::string error;
  auto out = sup_->reload({{"a", a}, {"b", policy()}, {"c", policy({}, false)}}, {"a", "c"},
                          clock_.now(), &error);
  ASSERT_TRUE(out);
  EXPECT_EQ(actions(*out),
            (Actions{{"a", Publish{State::Running, State::Stopping, "config changed"}},
                     {"a", SignalGroup{StopSignal::Int}},
                     {"a", armed_in(10s)}}));
  EXPECT_EQ(sup_->machine("a")->policy().stop_signal, StopSignal::Int);
  EXPECT_EQ(state("c"), State::Stopped) << "a changed service at rest stays at rest";
}

TEST_F(SupervisorTest, ReloadStartsNewAutostartServices) {
  make({{"a", policy()}});
  std::string error;
  auto out = sup_->reload({{"a", policy()}, {"b", policy({{"a"}})}, {"c", policy({}, false)}}, {},
                          clock_.now(), &error);
  ASSERT_TRUE(out);
  EXPECT_EQ(actions(*out),
            (Actions{{"a", Publish{State::Stopped, State::Starting, "needed by b"}},
                     {"a", Spawn{}},
                     {"b", Publish{State::Stopped, State::Starting, "waiting for a"}}}));
  EXPECT_EQ(sup_->names(), (Names{"a", "b", "c"}));
}

TEST_F(SupervisorTest, ReloadWithACycleChangesNothing) {
  make({{"a", policy()}, {"b", policy()}});
  std::string error;
  auto out = sup_->reload({{"a", policy({{"b"}})}, {"b", policy({{"a"}})}}, {"a", "b"},
                          clock_.now(), &error);
  EXPECT_FALSE(out);
  EXPECT_EQ(error, "dependency cycle: a -> b -> a");
  EXPECT_TRUE(sup_->machine("a")->policy().dependencies.empty());
}

}  // namespace
}  // namespace supd::supervisor
