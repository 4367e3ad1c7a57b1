#include "supervisor/dependency_graph.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace supd::supervisor {
namespace {

using Names = std::vector<std::string>;
using DC = DependencyCondition;

std::optional<DependencyGraph> build(const std::vector<ServiceDependencies>& services,
                                     std::string* error = nullptr) {
  std::string ignored;
  return DependencyGraph::build(services, error != nullptr ? error : &ignored);
}

TEST(DependencyGraphTest, StartOrderPutsDependenciesFirstAndKeepsGivenOrder) {
  auto g = build({{"web", {{"api", DC::Started}}},
                  {"worker", {}},
                  {"api", {{"db", DC::Ready}, {"cache", DC::Started}}},
                  {"db", {}},
                  {"cache", {}}});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->start_order(), (Names{"db", "cache", "api", "web", "worker"}));
  EXPECT_EQ(g->stop_order(), (Names{"worker", "web", "api", "cache", "db"}));
}

TEST(DependencyGraphTest, DependentsAreDirectAndListedOnce) {
  auto g = build({{"db", {}},
                  {"api", {{"db", DC::Ready}, {"db", DC::Healthy}}},
                  {"web", {{"api", DC::Started}}},
                  {"report", {{"db", DC::Started}}}});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->dependents("db"), (Names{"api", "report"}));
  EXPECT_EQ(g->dependents("api"), (Names{"web"}));
  EXPECT_EQ(g->dependents("web"), Names{});
  EXPECT_EQ(g->dependents("nope"), Names{});
  EXPECT_EQ(g->dependencies("web").size(), 1U);
  EXPECT_TRUE(g->contains("report"));
  EXPECT_FALSE(g->contains("nope"));
}

TEST(DependencyGraphTest, CycleIsReportedWithItsPath) {
  std::string error;
  auto g = build({{"a", {{"b", DC::Started}}},
                  {"b", {{"c", DC::Started}}},
                  {"c", {{"a", DC::Started}}},
                  {"d", {}}},
                 &error);
  EXPECT_FALSE(g);
  EXPECT_EQ(error, "dependency cycle: a -> b -> c -> a");
}

TEST(DependencyGraphTest, CycleBehindAnAcyclicPrefixNamesOnlyTheCycle) {
  std::string error;
  auto g = build(
      {{"web", {{"a", DC::Started}}}, {"a", {{"b", DC::Started}}}, {"b", {{"a", DC::Started}}}},
      &error);
  EXPECT_FALSE(g);
  EXPECT_EQ(error, "dependency cycle: a -> b -> a");
}

TEST(DependencyGraphTest, SelfDependencyIsACycle) {
  std::string error;
  EXPECT_FALSE(build({{"a", {{"a", DC::Started}}}}, &error));
  EXPECT_EQ(error, "dependency cycle: a -> a");
}

TEST(DependencyGraphTest, UnknownDependenciesAreAllReported) {
  std::string error;
  EXPECT_FALSE(build({{"web", {{"dbb", DC::Started}}}, {"api", {{"cach", DC::Ready}}}}, &error));
  EXPECT_EQ(error,
            "\"web\" depends on unknown service \"dbb\"; "
            "\"api\" depends on unknown service \"cach\"");
}

TEST(DependencyGraphTest, DuplicateNameIsReported) {
  std::string error;
  EXPECT_FALSE(build({{"web", {}}, {"web", {}}}, &error));
  EXPECT_EQ(error, "service \"web\" is defined twice");
}

TEST(DependencyGraphTest, LongChainDoesNotExhaustTheStack) {
  std::vector<ServiceDependencies> chain;
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    ServiceDependencies s{"s" + std::to_string(i), {}};
    if (i + 1 < n) s.dependencies.push_back({"s" + std::to_string(i + 1), DC::Started});
    chain.push_back(std::move(s));
  }
  auto g = build(chain);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->start_order().front(), "s19999");
  EXPECT_EQ(g->start_order().back(), "s0");
}

Snapshot snapshot_of(State state) {
  Snapshot s;
  s.state = state;
  return s;
}

TEST(ConditionMetTest, StartedMeansTheMainProcessIsUp) {
  Snapshot s = snapshot_of(State::Starting);
  s.process = ProcessPhase::Spawning;
  EXPECT_FALSE(condition_met(DC::Started, s));
  s.process = ProcessPhase::Alive;
  EXPECT_TRUE(condition_met(DC::Started, s));
  EXPECT_FALSE(condition_met(DC::Ready, s));
  s.state = State::Running;
  EXPECT_TRUE(condition_met(DC::Started, s));
  EXPECT_FALSE(condition_met(DC::Started, snapshot_of(State::Stopping)));
  EXPECT_FALSE(condition_met(DC::Started, snapshot_of(State::Backoff)));
}

TEST(ConditionMetTest, ReadyMeansRunning) {
  EXPECT_TRUE(condition_met(DC::Ready, snapshot_of(State::Running)));
  for (State s : {State::Stopped, State::Starting, State::Stopping, State::Backoff, State::Exited,
                  State::Fatal}) {
    EXPECT_FALSE(condition_met(DC::Ready, snapshot_of(s))) << to_string(s);
  }
}

TEST(ConditionMetTest, HealthyMeansRunningWithAPassingOrNoHealthCheck) {
  Snapshot s = snapshot_of(State::Running);
  s.health = Health::None;
  EXPECT_TRUE(condition_met(DC::Healthy, s));
  s.health = Health::Unknown;
  EXPECT_FALSE(condition_met(DC::Healthy, s));
  s.health = Health::Ok;
  EXPECT_TRUE(condition_met(DC::Healthy, s));
  s.health = Health::Failing;
  EXPECT_FALSE(condition_met(DC::Healthy, s));
  s.state = State::Stopping;
  s.health = Health::Ok;
  EXPECT_FALSE(condition_met(DC::Healthy, s));
}

TEST(ConditionMetTest, CompletedMeansExitedWithSuccess) {
  Snapshot s = snapshot_of(State::Exited);
  s.exit_ok = true;
  EXPECT_TRUE(condition_met(DC::Completed, s));
  s.exit_ok = false;
  EXPECT_FALSE(condition_met(DC::Completed, s));
  s.state = State::Stopped;
  s.exit_ok = true;
  EXPECT_FALSE(condition_met(DC::Completed, s));
}

TEST(UnmetDependenciesTest, ListsUnmetInOrderAndUnknownAsUnmet) {
  Snapshot running = snapshot_of(State::Running);
  Snapshot stopped = snapshot_of(State::Stopped);
  SnapshotLookup lookup = [&](std::string_view name) -> const Snapshot* {
    if (name == "db") return &running;
    if (name == "cache") return &stopped;
    return nullptr;
  };
  std::vector<Dependency> deps{{"cache", DC::Started}, {"db", DC::Ready}, {"gone", DC::Started}};
  EXPECT_EQ(unmet_dependencies(deps, lookup), (Names{"cache", "gone"}));
  EXPECT_FALSE(dependencies_met(deps, lookup));
  EXPECT_TRUE(dependencies_met({{"db", DC::Healthy}}, lookup));
  EXPECT_TRUE(dependencies_met({}, lookup));
}

}  // namespace
}  // namespace supd::supervisor
