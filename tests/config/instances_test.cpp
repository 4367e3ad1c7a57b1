// instances: N expands one entry into N services that share its settings.
#include <gtest/gtest.h>

#include "test_util.h"

namespace supd::config {
namespace {

using testing::load;
using Lines = std::vector<std::string>;

TEST(Instances, ExpandIntoNumberedServices) {
  LoadResult r =
      load("services:\n  web:\n    command: [srv]\n    instances: 3\n  db: {command: y}\n");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  const auto& s = r.config->services;
  ASSERT_EQ(s.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    const ServiceConfig& w = s[static_cast<std::size_t>(i)];
    EXPECT_EQ(w.name, "web." + std::to_string(i));
    EXPECT_EQ(w.instance_of, "web");
    EXPECT_EQ(w.instance_index, i);
    EXPECT_EQ(w.command, Lines{"srv"});
    EXPECT_EQ(w.stdout_output.file, "web." + std::to_string(i) + ".out.log");
    EXPECT_EQ(w.stderr_output.file, "web." + std::to_string(i) + ".err.log");
    EXPECT_EQ(w.origin.line, 2);
  }
  EXPECT_EQ(s[3].name, "db");
}

TEST(Instances, OneInstanceKeepsThePlainName) {
  LoadResult r = load("services:\n  web: {command: x, instances: 1}\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config->services[0].name, "web");
  EXPECT_EQ(r.config->services[0].instance_of, "");
}

TEST(Instances, DependingOnTheBaseNameMeansEveryInstance) {
  LoadResult r = load(
      "services:\n"
      "  web: {command: x, instances: 2, ready: {notify: true}}\n"
      "  lb: {command: y, depends_on: {web: ready}}\n");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(r.config->find("lb")->depends_on,
            (std::vector<Dependency>{{"web.0", DependencyCondition::Ready},
                                     {"web.1", DependencyCondition::Ready}}));
}

TEST(Instances, DependingOnOneInstance) {
  LoadResult r = load(
      "services:\n  web: {command: x, instances: 2}\n  a: {command: y, depends_on: [web.1]}\n");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(r.config->find("a")->depends_on,
            (std::vector<Dependency>{{"web.1", DependencyCondition::Started}}));
}

TEST(Instances, EveryInstanceGetsTheDependencies) {
  LoadResult r =
      load("services:\n  db: {command: x}\n  web: {command: y, instances: 2, depends_on: [db]}\n");
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  for (const char* name : {"web.0", "web.1"}) {
    EXPECT_EQ(r.config->find(name)->depends_on,
              (std::vector<Dependency>{{"db", DependencyCondition::Started}}));
  }
}

TEST(Instances, AnInstanceDependingOnItsOwnGroupIsACycle) {
  LoadResult r = load("services:\n  web: {command: x, instances: 2, depends_on: [web.0]}\n");
  EXPECT_EQ(testing::messages(r),
            Lines{"supd.yaml:2:48: services.web.depends_on[0]: dependency cycle: web -> web"});
}

TEST(Instances, AnUnknownDependencySuggestsInstanceNames) {
  LoadResult r = load(
      "services:\n  web: {command: x, instances: 2}\n  a: {command: y, depends_on: [web.2]}\n");
  EXPECT_EQ(testing::messages(r),
            Lines{"supd.yaml:3:32: services.a.depends_on[0]: service 'a' depends on unknown "
                  "service 'web.2'; did you mean 'web.0'?"});
}

}  // namespace
}  // namespace supd::config
