#include "ctl/discovery.h"

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "ctl_test_support.h"

namespace supd::ctl {
namespace {

using testing::ScratchDir;

DiscoveryInputs inputs() {
  DiscoveryInputs in;
  in.default_control = "/home/u/.run/supd/supd.sock";
  return in;
}

ConfigPaths config(std::string control, std::string page, std::string group = "") {
  return ConfigPaths{std::move(control), std::move(page), std::move(group)};
}

TEST(ResolveEndpoints, DefaultsWhenNothingIsSaid) {
  Endpoints e = resolve_endpoints(inputs());
  EXPECT_EQ(e.socket, "/home/u/.run/supd/supd.sock");
  EXPECT_EQ(e.status_page, "/home/u/.run/supd/supd.status");
  EXPECT_FALSE(e.group);
}

TEST(ResolveEndpoints, SocketPrecedenceFlagEnvConfigDefault) {
  DiscoveryInputs in = inputs();
  in.config = config("/cfg/supd.sock", "");
  EXPECT_EQ(resolve_endpoints(in).socket, "/cfg/supd.sock");
  in.socket_env = "/env/supd.sock";
  EXPECT_EQ(resolve_endpoints(in).socket, "/env/supd.sock");
  in.socket_flag = "/flag/supd.sock";
  EXPECT_EQ(resolve_endpoints(in).socket, "/flag/supd.sock");
  in.socket_flag.clear();
  in.socket_env = "";  // set but empty: not given
  EXPECT_EQ(resolve_endpoints(in).socket, "/cfg/supd.sock");
}

TEST(ResolveEndpoints, StatusPageFlagThenConfigThenBesideTheSocket) {
  DiscoveryInputs in = inputs();
  in.socket_flag = "/flag/x.sock";
  EXPECT_EQ(resolve_endpoints(in).status_page, "/flag/supd.status");
  in.config = config("", "/cfg/page");
  EXPECT_EQ(resolve_endpoints(in).status_page, "/cfg/page");
  in.status_page_flag = "/flag/page";
  EXPECT_EQ(resolve_endpoints(in).status_page, "/flag/page");
}

TEST(ResolveEndpoints, GroupComesFromTheConfig) {
  DiscoveryInputs in = inputs();
  in.config = config("", "", "supd");
  EXPECT_EQ(resolve_endpoints(in).group, "supd");
}

TEST(ResolveEndpoints, SystemSocketWhenTheUsersOwnIsMissing) {
  DiscoveryInputs in = inputs();
  in.system_control = "/run/supd/supd.sock";
  std::set<std::string> files = {"/run/supd/supd.sock"};
  in.exists = [&](const std::string& p) { return files.count(p) > 0; };
  Endpoints e = resolve_endpoints(in);
  EXPECT_EQ(e.socket, "/run/supd/supd.sock");
  EXPECT_EQ(e.status_page, "/run/supd/supd.status");

  files.insert(in.default_control);  // the user runs a supd of their own
  EXPECT_EQ(resolve_endpoints(in).socket, in.default_control);

  files = {};  // neither: the user's default, whose absence the error will name
  EXPECT_EQ(resolve_endpoints(in).socket, in.default_control);

  files = {"/run/supd/supd.sock"};
  in.config = config("/cfg/supd.sock", "");  // anything said explicitly wins
  EXPECT_EQ(resolve_endpoints(in).socket, "/cfg/supd.sock");
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ReadConfigPaths, RelativePathsStartAtTheConfigsDirectory) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string file = dir.file("supd.yaml");
  write(file, "supd:\n  control: run/../run/s.sock\n  status_page: /abs/page\n  group: ops\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths) << paths.error().message();
  EXPECT_EQ(paths->control, dir.file("run/s.sock"));
  EXPECT_EQ(paths->status_page, "/abs/page");
  EXPECT_EQ(paths->group, "ops");
}

TEST(ReadConfigPaths, MistakesOutsideTheSupdSectionDoNotMatter) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file,
        "supd:\n  control: /x/s.sock\n  log_level: loud\n  unknown_key: 1\n"
        "services:\n  web:\n    restart: sometimes\n    env_file: /nonexistent\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths) << paths.error().message();
  EXPECT_EQ(paths->control, "/x/s.sock");
  EXPECT_EQ(paths->status_page, "");
}

TEST(ReadConfigPaths, NoSupdSection) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "services: {}\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths);
  EXPECT_EQ(paths->control, "");
  write(file, "");
  EXPECT_TRUE(read_config_paths(file));
}

TEST(ReadConfigPaths, ErrorsNameTheFileAndPlace) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "supd:\n  control: [a, b]\n");
  auto paths = read_config_paths(file);
  ASSERT_FALSE(paths);
  EXPECT_EQ(paths.error().message(), file + ":2:12: supd.control: expected a string");

  write(file, "supd: [\n");
  paths = read_config_paths(file);
  ASSERT_FALSE(paths);
  EXPECT_NE(paths.error().message().find(file + ":"), std::string::npos);

  paths = read_config_paths(dir.file("missing.yaml"));
  ASSERT_FALSE(paths);
  EXPECT_NE(paths.error().message().find("missing.yaml"), std::string::npos);
}

TEST(Discover, ANamedConfigMustExist) {
  ScratchDir dir;
  auto found = discover(dir.file("nope.yaml"), "", "");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message(),
            "config " + dir.file("nope.yaml") + ": No such file or directory");
}

TEST(Discover, AnUnreadableConfigWarnsAndUsesTheDefaults) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "supd: [\n");
  auto found = discover(file, "", "");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->warnings.size(), 1u);
  EXPECT_NE(found->warnings[0].find("using the defaults"), std::string::npos);
  // With both paths given, the config had nothing to say: no warning.
  found = discover(file, "/s.sock", "/s.status");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->warnings.empty());
  EXPECT_EQ(found->endpoints.socket, "/s.sock");
}

TEST(Discover, UsesTheConfig) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "supd:\n  control: /cfg/s.sock\n");
  auto found = discover(file, "", "");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->config_path, file);
  EXPECT_EQ(found->endpoints.socket, "/cfg/s.sock");
  EXPECT_EQ(found->endpoints.status_page, "/cfg/supd.status");
}

}  // namespace
}  // namespace supd::ctl
