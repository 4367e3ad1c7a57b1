// Loading good configs: defaults for every key, every key set, the forms each key accepts.
#include "config/load.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "config/shell_words.h"
#include "test_util.h"

namespace supd::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::load;
using testing::messages;
using Words = std::vector<std::string>;

// Loads YAML that must be valid; fails the test with the diagnostics otherwise.
Config load_ok(const std::string& yaml) {
  LoadResult r = load(yaml);
  EXPECT_TRUE(r.diagnostics.empty()) << format_diagnostics(r.diagnostics);
  EXPECT_TRUE(r.ok());
  return r.config.value_or(Config{});
}

const ServiceConfig& only_service(const Config& c) {
  EXPECT_EQ(c.services.size(), 1u);
  return c.services.at(0);
}

TEST(Load, DaemonDefaults) {
  Config c = load_ok("services: {}\n");
  EXPECT_EQ(c.supd.control, "");
  EXPECT_EQ(c.supd.status_page, "");
  EXPECT_EQ(c.supd.group, "");
  EXPECT_EQ(c.supd.log_dir, "");
  EXPECT_EQ(c.supd.log_file, "");
  EXPECT_EQ(c.supd.log_level, LogLevel::Info);
  EXPECT_EQ(c.supd.log_format, LogFormat::Text);
  EXPECT_EQ(c.supd.shutdown_timeout, seconds(30));
  EXPECT_TRUE(c.supd.include.empty());
  EXPECT_EQ(c.source_path, "supd.yaml");
  EXPECT_EQ(c.files, Words{"supd.yaml"});
}

TEST(Load, EmptyFileIsAnEmptyConfig) {
  Config c = load_ok("");
  EXPECT_TRUE(c.services.empty());
  EXPECT_TRUE(load_ok("# nothing yet\n").services.empty());
  EXPECT_TRUE(load_ok("supd:\nservices:\n").services.empty());
  for (const char* empty : {"---\n", "~\n", "null\n", "--- # c\n...\n", "%YAML 1.2\n---\n"}) {
    EXPECT_TRUE(load_ok(empty).services.empty()) << empty;
  }
}

TEST(Load, ServiceDefaults) {
  const ServiceConfig s = only_service(load_ok("services:\n  web:\n    command: [prog]\n"));
  EXPECT_EQ(s.name, "web");
  EXPECT_EQ(s.instance_of, "");
  EXPECT_EQ(s.instance_index, -1);
  EXPECT_EQ(s.command, Words{"prog"});
  EXPECT_FALSE(s.shell);
  EXPECT_EQ(s.cwd, "");
  EXPECT_TRUE(s.env.empty());
  EXPECT_EQ(s.env_file, "");
  EXPECT_TRUE(s.inherit_env);
  EXPECT_EQ(s.user, "");
  EXPECT_EQ(s.group, "");
  EXPECT_EQ(s.umask, std::nullopt);
  EXPECT_TRUE(s.limits.empty());
  EXPECT_TRUE(s.autostart);
  EXPECT_EQ(s.restart, RestartPolicy::OnFailure);
  EXPECT_EQ(s.success_exit_codes, std::vector<int>{0});
  EXPECT_EQ(s.backoff.initial, seconds(1));
  EXPECT_EQ(s.backoff.max, seconds(60));
  EXPECT_EQ(s.backoff.factor, 2.0);
  EXPECT_EQ(s.start_secs, seconds(1));
  EXPECT_EQ(s.max_restarts, 5);
  EXPECT_EQ(s.restart_window, seconds(60));
  EXPECT_EQ(s.ready.kind, ProbeKind::None);
  EXPECT_EQ(s.watchdog, milliseconds(0));
  EXPECT_EQ(s.health.probe.kind, ProbeKind::None);
  EXPECT_EQ(s.health.interval, seconds(10));
  EXPECT_EQ(s.health.timeout, seconds(2));
  EXPECT_EQ(s.health.failures, 3);
  EXPECT_EQ(s.max_runtime, milliseconds(0));
  EXPECT_EQ(s.stop_signal, os::Signal::Term);
  EXPECT_EQ(s.stop_timeout, seconds(10));
  EXPECT_TRUE(s.depends_on.empty());
  EXPECT_EQ(s.stdout_output.mode, OutputMode::File);
  EXPECT_EQ(s.stdout_output.file, "web.out.log");
  EXPECT_EQ(s.stdout_output.max_size, 10u * 1024 * 1024);
  EXPECT_EQ(s.stdout_output.keep, 5);
  EXPECT_FALSE(s.stdout_output.timestamps);
  EXPECT_EQ(s.stderr_output.mode, OutputMode::File);
  EXPECT_EQ(s.stderr_output.file, "web.err.log");
  EXPECT_EQ(s.stderr_output.max_size, 10u * 1024 * 1024);
  EXPECT_EQ(s.stderr_output.keep, 5);
  EXPECT_EQ(s.origin.file, "supd.yaml");
  EXPECT_EQ(s.origin.line, 2);
  EXPECT_EQ(s.origin.column, 3);
}

TEST(Load, EveryKeySet) {
  testing::TempDir dir;
  dir.write("web.env", "FROM_FILE=1\nPORT=1111\n");
  const std::string yaml = R"(
supd:
  control: /run/x/supd.sock
  status_page: /run/x/supd.status
  group: wheel
  log_dir: /var/log/x
  log_file: /var/log/x/supd.log
  log_level: debug
  log_format: json
  shutdown_timeout: 45s
services:
  db:
    command: ["postgres"]
    health: {tcp: "127.0.0.1:5432"}
  web:
    command: ["/usr/bin/python3", "-m", "http.server", "8080"]
    shell: false
    cwd: /srv/web
    env: {PORT: 8080, DEBUG: true, NAME: "x y"}
    env_file: web.env
    inherit_env: false
    user: www-data
    group: 33
    umask: "027"
    limits: {nofile: 4096, core: 0, as: 1GB, cpu: unlimited}
    autostart: false
    restart: always
    success_exit_codes: [0, 3]
    backoff: {initial: 500ms, max: 2m, factor: 1.5}
    start_secs: 3s
    max_restarts: 7
    restart_window: 5m
    ready:
      http: http://127.0.0.1:8080/ready?x=1
    watchdog: 30s
    health:
      exec: "check --quick"
      interval: 20s
      timeout: 1s
      failures: 4
    max_runtime: 1h
    stop_signal: sigint
    stop_timeout: 3s
    depends_on:
      db: healthy
    stdout:
      file: web.log
      max_size: 512KB
      keep: 2
      timestamps: true
    stderr: stdout
)";
  LoadResult r = load_config_string(yaml, dir / "supd.yaml", testing::lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  const Config& c = *r.config;
  EXPECT_EQ(c.supd.control, "/run/x/supd.sock");
  EXPECT_EQ(c.supd.status_page, "/run/x/supd.status");
  EXPECT_EQ(c.supd.group, "wheel");
  EXPECT_EQ(c.supd.log_dir, "/var/log/x");
  EXPECT_EQ(c.supd.log_file, "/var/log/x/supd.log");
  EXPECT_EQ(c.supd.log_level, LogLevel::Debug);
  EXPECT_EQ(c.supd.log_format, LogFormat::Json);
  EXPECT_EQ(c.supd.shutdown_timeout, seconds(45));

  ASSERT_EQ(c.services.size(), 2u);
  const ServiceConfig& s = c.services[1];
  EXPECT_EQ(s.name, "web");
  EXPECT_EQ(s.command, (Words{"/usr/bin/python3", "-m", "http.server", "8080"}));
  EXPECT_EQ(s.cwd, "/srv/web");
  EXPECT_EQ(s.env, (std::vector<EnvVar>{
                       {"FROM_FILE", "1"}, {"PORT", "8080"}, {"DEBUG", "true"}, {"NAME", "x y"}}));
  EXPECT_EQ(s.env_file, dir / "web.env");
  EXPECT_FALSE(s.inherit_env);
  EXPECT_EQ(s.user, "www-data");
  EXPECT_EQ(s.group, "33");
  EXPECT_EQ(s.umask, 027u);
  EXPECT_EQ(s.limits, (std::vector<LimitSetting>{{ResourceLimit::Nofile, 4096},
                                                 {ResourceLimit::Core, 0},
                                                 {ResourceLimit::As, 1024ull * 1024 * 1024},
                                                 {ResourceLimit::Cpu, std::nullopt}}));
  EXPECT_FALSE(s.autostart);
  EXPECT_EQ(s.restart, RestartPolicy::Always);
  EXPECT_EQ(s.success_exit_codes, (std::vector<int>{0, 3}));
  EXPECT_EQ(s.backoff.initial, milliseconds(500));
  EXPECT_EQ(s.backoff.max, seconds(120));
  EXPECT_EQ(s.backoff.factor, 1.5);
  EXPECT_EQ(s.start_secs, seconds(3));
  EXPECT_EQ(s.max_restarts, 7);
  EXPECT_EQ(s.restart_window, seconds(300));
  EXPECT_EQ(s.ready.kind, ProbeKind::Http);
  EXPECT_EQ(s.ready.http.host, "127.0.0.1");
  EXPECT_EQ(s.ready.http.port, 8080);
  EXPECT_EQ(s.ready.http.path, "/ready?x=1");
  EXPECT_EQ(s.watchdog, seconds(30));
  EXPECT_EQ(s.health.probe.kind, ProbeKind::Exec);
  EXPECT_EQ(s.health.probe.exec, (Words{"check", "--quick"}));
  EXPECT_EQ(s.health.interval, seconds(20));
  EXPECT_EQ(s.health.timeout, seconds(1));
  EXPECT_EQ(s.health.failures, 4);
  EXPECT_EQ(s.max_runtime, seconds(3600));
  EXPECT_EQ(s.stop_signal, os::Signal::Int);
  EXPECT_EQ(s.stop_timeout, seconds(3));
  EXPECT_EQ(s.depends_on, (std::vector<Dependency>{{"db", DependencyCondition::Healthy}}));
  EXPECT_EQ(s.stdout_output.mode, OutputMode::File);
  EXPECT_EQ(s.stdout_output.file, "web.log");
  EXPECT_EQ(s.stdout_output.max_size, 512u * 1024);
  EXPECT_EQ(s.stdout_output.keep, 2);
  EXPECT_TRUE(s.stdout_output.timestamps);
  EXPECT_EQ(s.stderr_output.mode, OutputMode::MergeIntoStdout);
  EXPECT_EQ(output_path(s.stdout_output, c.supd.log_dir), "/var/log/x/web.log");

  const ServiceConfig& db = c.services[0];
  EXPECT_EQ(db.health.probe.kind, ProbeKind::Tcp);
  EXPECT_EQ(db.health.probe.tcp, (HostPort{"127.0.0.1", 5432}));
}

TEST(Load, CommandStringIsSplitNotShelled) {
  const ServiceConfig s = only_service(
      load_ok("services:\n  web:\n    command: \"/usr/sbin/nginx -g 'daemon off;' $HOME\"\n"));
  EXPECT_EQ(s.command, (Words{"/usr/sbin/nginx", "-g", "daemon off;", "$HOME"}));
  EXPECT_FALSE(s.shell);
}

TEST(Load, ShellRunsTheStringWithThePlatformShell) {
  const ServiceConfig s = only_service(
      load_ok("services:\n  job:\n    shell: true\n    command: echo $HOME | wc -c\n"));
  EXPECT_TRUE(s.shell);
  EXPECT_EQ(s.command, shell_argv("echo $HOME | wc -c"));
}

TEST(Load, NumbersAndBooleansInEnvAreTheirText) {
  const ServiceConfig s = only_service(
      load_ok("services:\n  a:\n    command: x\n    env: {Z: 08080, B: yes, F: 1.50, E: \"\"}\n"));
  EXPECT_EQ(s.env, (std::vector<EnvVar>{{"Z", "08080"}, {"B", "yes"}, {"F", "1.50"}, {"E", ""}}));
}

TEST(Load, EnvNamesAreTheUsersEvenWithAnXPrefix) {
  const ServiceConfig s =
      only_service(load_ok("services:\n  a:\n    command: x\n    env: {x-trace: \"1\"}\n"));
  EXPECT_EQ(s.env, (std::vector<EnvVar>{{"x-trace", "1"}}));
}

TEST(Load, EnvOverridesEnvFile) {
  testing::TempDir dir;
  dir.write("a.env", "A=from-file\nB=from-file\n");
  LoadResult r = load_config_string(
      "services:\n  a:\n    command: x\n    env_file: a.env\n    env: {B: from-env, C: c}\n",
      dir / "supd.yaml", testing::lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(r.config->services[0].env,
            (std::vector<EnvVar>{{"A", "from-file"}, {"B", "from-env"}, {"C", "c"}}));
}

TEST(Load, RelativeDaemonPathsStartAtTheConfigFile) {
  testing::TempDir dir;
  LoadResult r = load_config_string(
      "supd:\n  control: run/supd.sock\n  status_page: ../state/supd.status\n"
      "  log_dir: log\n  log_file: log/supd.log\n  include: [conf.d/*.yaml, extra.yaml]\n"
      "services: {}\n",
      dir / "etc/supd.yaml", testing::lenient());
  // extra.yaml does not exist: a missing literal include is the only problem.
  ASSERT_EQ(r.diagnostics.size(), 1u) << format_diagnostics(r.diagnostics);
  r = load_config_string(
      "supd:\n  control: run/supd.sock\n  status_page: ../state/supd.status\n"
      "  log_dir: log\n  log_file: log/supd.log\n  include: [conf.d/*.yaml]\n",
      dir / "etc/supd.yaml", testing::lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  const DaemonSettings& d = r.config->supd;
  EXPECT_EQ(d.control, dir / "etc/run/supd.sock");
  EXPECT_EQ(d.status_page, dir / "state/supd.status");
  EXPECT_EQ(d.log_dir, dir / "etc/log");
  EXPECT_EQ(d.log_file, dir / "etc/log/supd.log");
  EXPECT_EQ(d.include, Words{dir / "etc/conf.d/*.yaml"});
}

TEST(Load, AWindowsPipeNameIsKeptAsWritten) {
  Config c = load_ok("supd:\n  control: '\\\\.\\pipe\\supd'\n");
  EXPECT_EQ(c.supd.control, R"(\\.\pipe\supd)");
  c = load_ok("supd:\n  control: '\\\\.\\PIPE\\my-supd'\n");
  EXPECT_EQ(c.supd.control, R"(\\.\PIPE\my-supd)");
}

TEST(Load, RelativePathInTheCurrentDirectoryBecomesAbsolute) {
  Config c = load_ok("supd:\n  log_dir: logs\n");
  EXPECT_EQ(c.supd.log_dir, (std::filesystem::current_path() / "logs").string());
}

TEST(Load, UmaskForms) {
  auto umask_of = [](const std::string& v) {
    return only_service(load_ok("services:\n  a:\n    command: x\n    umask: " + v + "\n")).umask;
  };
  EXPECT_EQ(umask_of("\"027\""), 027u);
  EXPECT_EQ(umask_of("027"), 027u);
  EXPECT_EQ(umask_of("22"), 022u);
  EXPECT_EQ(umask_of("0o077"), 077u);
  EXPECT_EQ(umask_of("0"), 0u);
}

TEST(Load, StopSignalSpellings) {
  auto signal_of = [](const std::string& v) {
    return only_service(load_ok("services:\n  a:\n    command: x\n    stop_signal: " + v + "\n"))
        .stop_signal;
  };
  EXPECT_EQ(signal_of("TERM"), os::Signal::Term);
  EXPECT_EQ(signal_of("SIGTERM"), os::Signal::Term);
  EXPECT_EQ(signal_of("usr1"), os::Signal::Usr1);
  EXPECT_EQ(signal_of("sigusr2"), os::Signal::Usr2);
  EXPECT_EQ(signal_of("HUP"), os::Signal::Hup);
  EXPECT_EQ(signal_of("Quit"), os::Signal::Quit);
  EXPECT_EQ(signal_of("KILL"), os::Signal::Kill);
}

TEST(Load, ReadyKinds) {
  auto ready_of = [](const std::string& v) {
    return only_service(load_ok("services:\n  a:\n    command: x\n    ready: " + v + "\n")).ready;
  };
  EXPECT_EQ(ready_of("{notify: true}").kind, ProbeKind::Notify);
  EXPECT_EQ(ready_of("{notify: false}").kind, ProbeKind::None);
  Probe tcp = ready_of("{tcp: \"[::1]:99\"}");
  EXPECT_EQ(tcp.kind, ProbeKind::Tcp);
  EXPECT_EQ(tcp.tcp, (HostPort{"::1", 99}));
  Probe http = ready_of("{http: \"http://localhost\"}");
  EXPECT_EQ(http.http.host, "localhost");
  EXPECT_EQ(http.http.port, 80);
  EXPECT_EQ(http.http.path, "/");
  Probe exec = ready_of("{exec: [check, \"--ready\"]}");
  EXPECT_EQ(exec.kind, ProbeKind::Exec);
  EXPECT_EQ(exec.exec, (Words{"check", "--ready"}));
}

TEST(Load, DependsOnListMeansStarted) {
  Config c = load_ok(
      "services:\n  a: {command: x}\n  b: {command: x}\n  c:\n    command: x\n"
      "    depends_on: [a, b]\n");
  EXPECT_EQ(c.services[2].depends_on,
            (std::vector<Dependency>{{"a", DependencyCondition::Started},
                                     {"b", DependencyCondition::Started}}));
}

TEST(Load, DependsOnMapConditions) {
  Config c = load_ok(
      "services:\n"
      "  migrate: {command: x, restart: never}\n"
      "  db: {command: x, ready: {notify: true}}\n"
      "  cache: {command: x}\n"
      "  app:\n"
      "    command: x\n"
      "    depends_on: {migrate: completed, db: ready, cache: started}\n");
  EXPECT_EQ(c.services[3].depends_on,
            (std::vector<Dependency>{{"migrate", DependencyCondition::Completed},
                                     {"db", DependencyCondition::Ready},
                                     {"cache", DependencyCondition::Started}}));
}

TEST(Load, OutputForms) {
  Config c = load_ok(
      "services:\n"
      "  a: {command: x, stdout: inherit, stderr: \"null\"}\n"
      "  b: {command: x, stdout: null, stderr: inherit}\n"
      "  c: {command: x, stdout: {max_size: 0, keep: 0}, stderr: {file: /abs/c.err}}\n");
  EXPECT_EQ(c.services[0].stdout_output.mode, OutputMode::Inherit);
  EXPECT_EQ(c.services[0].stderr_output.mode, OutputMode::Null);
  EXPECT_EQ(c.services[1].stdout_output.mode, OutputMode::Null);
  EXPECT_EQ(c.services[1].stderr_output.mode, OutputMode::Inherit);
  EXPECT_EQ(c.services[2].stdout_output.max_size, 0u);
  EXPECT_EQ(c.services[2].stdout_output.keep, 0);
  EXPECT_EQ(c.services[2].stdout_output.file, "c.out.log");
  EXPECT_EQ(output_path(c.services[2].stderr_output, "/var/log/supd"), "/abs/c.err");
  EXPECT_EQ(output_path(c.services[2].stdout_output, "/var/log/supd"), "/var/log/supd/c.out.log");
  EXPECT_EQ(output_path(c.services[2].stdout_output, ""), "c.out.log");
}

TEST(Load, ExtensionKeysAreAllowedAnywhere) {
  Config c = load_ok(
      "x-top: {anything: [1, 2]}\n"
      "supd:\n  x-note: hi\n"
      "services:\n"
      "  x-template: {not: a service}\n"
      "  a:\n    command: x\n    x-owner: team\n    backoff: {x-why: because}\n"
      "    stdout: {x-a: 1}\n    health: {tcp: \"h:1\", x-b: 2}\n");
  EXPECT_EQ(c.services.size(), 1u);
}

TEST(Load, MergeKeysShareSettings) {
  Config c = load_ok(
      "x-defaults: &defaults\n"
      "  restart: always\n"
      "  env: {A: \"1\"}\n"
      "  stop_timeout: 3s\n"
      "services:\n"
      "  a:\n    <<: *defaults\n    command: x\n    stop_timeout: 5s\n"
      "  b:\n    <<: *defaults\n    command: y\n");
  EXPECT_EQ(c.services[0].restart, RestartPolicy::Always);
  EXPECT_EQ(c.services[0].stop_timeout, seconds(5));  // explicit keys win
  EXPECT_EQ(c.services[1].stop_timeout, seconds(3));
  EXPECT_EQ(c.services[1].env, (std::vector<EnvVar>{{"A", "1"}}));
}

TEST(Load, ServicesKeepFileOrder) {
  Config c =
      load_ok("services:\n  zeta: {command: x}\n  alpha: {command: x}\n  mid: {command: x}\n");
  ASSERT_EQ(c.services.size(), 3u);
  EXPECT_EQ(c.services[0].name, "zeta");
  EXPECT_EQ(c.services[1].name, "alpha");
  EXPECT_EQ(c.services[2].name, "mid");
  EXPECT_NE(c.find("alpha"), nullptr);
  EXPECT_EQ(c.find("nope"), nullptr);
}

TEST(Load, NamesAtTheEdgesOfTheRule) {
  const std::string longest(48, 'a');
  Config c = load_ok("services:\n  " + longest + ": {command: x}\n  0_a.b-c: {command: x}\n");
  EXPECT_EQ(c.services.size(), 2u);
}

TEST(Load, MissingFile) {
  LoadResult r = load_config("/nonexistent/supd.yaml", testing::lenient());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(messages(r), Words{"/nonexistent/supd.yaml: cannot read: No such file or directory"});
}

}  // namespace
}  // namespace supd::config
