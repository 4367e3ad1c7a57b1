// One test per kind of mistake: each gives exactly the expected diagnostics, located at the
// offending value (at the key for an unknown key), with the key path and what was allowed.
#include <gtest/gtest.h>

#include "test_util.h"

namespace supd::config {
namespace {

using testing::load;
using testing::messages;
using Lines = std::vector<std::string>;

Lines errors(const std::string& yaml) {
  LoadResult r = load(yaml);
  EXPECT_FALSE(r.ok());
  return messages(r);
}

// A service "a" with `extra` lines of YAML under it (indented by the caller).
std::string service(const std::string& extra) {
  return "services:\n  a:\n    command: x\n" + extra;
}

TEST(Errors, TheSpecExample) {
  EXPECT_EQ(errors(service("    restart: sometimes\n")),
            Lines{"supd.yaml:4:14: services.a.restart: expected one of always, on-failure, never, "
                  "got \"sometimes\""});
}

TEST(Errors, EnumValueWithDidYouMean) {
  EXPECT_EQ(errors(service("    restart: on_failure\n")),
            Lines{"supd.yaml:4:14: services.a.restart: expected one of always, on-failure, never, "
                  "got \"on_failure\"; did you mean \"on-failure\"?"});
}

TEST(Errors, UnknownKeyWithDidYouMean) {
  EXPECT_EQ(errors(service("    restrat: always\n")),
            Lines{"supd.yaml:4:5: services.a.restrat: unknown key 'restrat'; did you mean "
                  "'restart'?"});
}

TEST(Errors, UnknownKeyListsWhatIsAllowed) {
  EXPECT_EQ(errors(service("    backoff: {initial: 1s, jitter: 2}\n")),
            Lines{"supd.yaml:4:28: services.a.backoff.jitter: unknown key 'jitter'; expected one "
                  "of initial, max, factor"});
}

TEST(Errors, UnknownTopLevelKey) {
  EXPECT_EQ(errors("service:\n  a: {command: x}\n"),
            Lines{"supd.yaml:1:1: service: unknown key 'service'; did you mean 'services'?"});
}

TEST(Errors, UnknownDaemonKey) {
  EXPECT_EQ(errors("supd:\n  log_levle: debug\n"),
            Lines{"supd.yaml:2:3: supd.log_levle: unknown key 'log_levle'; did you mean "
                  "'log_level'?"});
}

TEST(Errors, WrongTypeForCommand) {
  EXPECT_EQ(errors("services:\n  a:\n    command: {prog: x}\n"),
            Lines{"supd.yaml:3:14: services.a.command: expected a list or a string, got a map"});
}

TEST(Errors, EmptyCommand) {
  EXPECT_EQ(errors("services:\n  a:\n    command: []\n"),
            Lines{"supd.yaml:3:14: services.a.command: expected a command, got an empty list"});
  EXPECT_EQ(errors("services:\n  a:\n    command: \"  \"\n"),
            Lines{"supd.yaml:3:14: services.a.command: expected a command, got \"  \""});
}

TEST(Errors, CommandWithUnterminatedQuote) {
  EXPECT_EQ(errors("services:\n  a:\n    command: \"echo 'hi\"\n"),
            Lines{"supd.yaml:3:14: services.a.command: unterminated single quote in \"echo 'hi\""});
}

TEST(Errors, ShellNeedsAString) {
  EXPECT_EQ(errors("services:\n  a:\n    shell: true\n    command: [sh, -c, x]\n"),
            Lines{"supd.yaml:4:14: services.a.command: expected a string for the shell to run "
                  "(shell: true), got a list"});
}

TEST(Errors, MissingCommand) {
  EXPECT_EQ(errors("services:\n  a:\n    restart: always\n"),
            Lines{"supd.yaml:2:3: services.a: missing required key 'command'"});
}

TEST(Errors, ServiceIsNotAMap) {
  EXPECT_EQ(errors("services:\n  a:\n  b: [x]\n"),
            (Lines{"supd.yaml:2:3: services.a: expected a map, got nothing",
                   "supd.yaml:3:6: services.b: expected a map, got a list"}));
}

TEST(Errors, InvalidServiceName) {
  EXPECT_EQ(errors("services:\n  -bad: {command: x}\n"),
            Lines{"supd.yaml:2:3: services.-bad: invalid service name \"-bad\": expected letters, "
                  "digits, '_', '.' and '-', starting with a letter or digit, at most 48 "
                  "characters"});
  EXPECT_EQ(errors("services:\n  " + std::string(49, 'a') + ": {command: x}\n").size(), 1u);
  EXPECT_EQ(errors("services:\n  \"web server\": {command: x}\n").size(), 1u);
}

TEST(Errors, BadDuration) {
  EXPECT_EQ(errors(service("    stop_timeout: 10 parsecs\n")),
            Lines{"supd.yaml:4:19: services.a.stop_timeout: expected a duration like 250ms, 10s, "
                  "5m, 1h or a number of seconds, got \"10 parsecs\""});
}

TEST(Errors, DurationMustBePositiveWhereZeroMakesNoSense) {
  EXPECT_EQ(errors(service("    restart_window: 0\n")),
            Lines{"supd.yaml:4:21: services.a.restart_window: expected a duration greater than "
                  "0, got \"0\""});
}

TEST(Errors, BadSize) {
  EXPECT_EQ(errors(service("    stdout: {max_size: 10 megs}\n")),
            Lines{"supd.yaml:4:24: services.a.stdout.max_size: expected a size like 512KB, 10MB, "
                  "1GB or a number of bytes, got \"10 megs\""});
}

TEST(Errors, BadBoolean) {
  EXPECT_EQ(errors(service("    autostart: sure\n")),
            Lines{"supd.yaml:4:16: services.a.autostart: expected true or false, got \"sure\""});
}

TEST(Errors, NumbersOutOfRange) {
  EXPECT_EQ(errors(service("    instances: 0\n")),
            Lines{"supd.yaml:4:16: services.a.instances: expected a whole number from 1 to 1000, "
                  "got \"0\""});
  EXPECT_EQ(errors(service("    max_restarts: -1\n")),
            Lines{"supd.yaml:4:19: services.a.max_restarts: expected a whole number from 0 to "
                  "1000000, got \"-1\""});
  EXPECT_EQ(errors(service("    success_exit_codes: [0, 256]\n")),
            Lines{"supd.yaml:4:29: services.a.success_exit_codes[1]: expected a whole number "
                  "from 0 to 255, got \"256\""});
  EXPECT_EQ(errors(service("    backoff: {factor: 0.5}\n")),
            Lines{"supd.yaml:4:23: services.a.backoff.factor: expected a number of at least 1, "
                  "got \"0.5\""});
  EXPECT_EQ(errors(service("    health: {tcp: \"h:1\", failures: 0}\n")),
            Lines{"supd.yaml:4:36: services.a.health.failures: expected a whole number from 1 to "
                  "1000000, got \"0\""});
}

TEST(Errors, BackoffMaxBelowInitial) {
  EXPECT_EQ(errors(service("    backoff: {initial: 2m, max: 30s}\n")),
            Lines{"supd.yaml:4:33: services.a.backoff.max: must be at least backoff.initial (2m)"});
  EXPECT_EQ(errors(service("    backoff: {initial: 2m}\n")),
            Lines{"supd.yaml:4:24: services.a.backoff.initial: must be at most backoff.max (1m)"});
}

TEST(Errors, StopSignal) {
  EXPECT_EQ(errors(service("    stop_signal: STOP\n")),
            Lines{"supd.yaml:4:18: services.a.stop_signal: expected one of TERM, INT, HUP, QUIT, "
                  "KILL, USR1, USR2 (with or without SIG), got \"STOP\""});
}

TEST(Errors, Umask) {
  EXPECT_EQ(errors(service("    umask: \"089\"\n")),
            Lines{"supd.yaml:4:12: services.a.umask: expected an octal umask such as \"027\", got "
                  "\"089\""});
}

TEST(Errors, Limits) {
  EXPECT_EQ(errors(service("    limits: {nofiles: 10, nofile: lots, core: 1 GB}\n")),
            (Lines{"supd.yaml:4:14: services.a.limits.nofiles: unknown key 'nofiles'; did you "
                   "mean 'nofile'?",
                   "supd.yaml:4:35: services.a.limits.nofile: expected a whole number or "
                   "\"unlimited\", got \"lots\"",
                   "supd.yaml:4:47: services.a.limits.core: expected a size like 512KB, 10MB, 1GB, "
                   "a number of bytes or \"unlimited\", got \"1 GB\""}));
}

TEST(Errors, Env) {
  EXPECT_EQ(errors(service("    env:\n      A:\n      B: [1]\n      A: 2\n")),
            (Lines{"supd.yaml:5:7: services.a.env.A: expected a string (write \"\" for an empty "
                   "value), got nothing",
                   "supd.yaml:6:10: services.a.env.B: expected a string, got a list",
                   "supd.yaml:7:7: services.a.env.A: variable 'A' is set twice"}));
}

TEST(Errors, EnvFileMissing) {
  Lines got = errors(service("    env_file: /nonexistent/a.env\n"));
  EXPECT_EQ(got, Lines{"supd.yaml:4:15: services.a.env_file: cannot read /nonexistent/a.env: No "
                       "such file or directory"});
}

TEST(Errors, EnvFileContents) {
  testing::TempDir dir;
  const std::string env = dir.write("a.env", "OK=1\nbroken line\n");
  LoadResult r =
      load_config_string(service("    env_file: a.env\n"), dir / "supd.yaml", testing::lenient());
  EXPECT_EQ(messages(r), Lines{env + ":2:1: services.a.env_file: expected KEY=VALUE, got "
                                     "\"broken line\""});
}

TEST(Errors, DuplicateKey) {
  EXPECT_EQ(errors(service("    restart: always\n    restart: never\n")),
            Lines{"supd.yaml:5:5: services.a.restart: key 'restart' is given twice; first at "
                  "line 4"});
}

TEST(Errors, ReadyNeedsExactlyOneKind) {
  EXPECT_EQ(errors(service("    ready: {tcp: \"h:1\", http: \"http://h/\"}\n")),
            Lines{"supd.yaml:4:25: services.a.ready.http: give only one of notify, tcp, http, "
                  "exec; tcp is already set"});
  EXPECT_EQ(errors(service("    ready: {}\n")),
            Lines{"supd.yaml:4:12: services.a.ready: expected one of notify, tcp, http, exec, got "
                  "none of them"});
  EXPECT_EQ(errors(service("    health: {interval: 5s}\n")),
            Lines{"supd.yaml:4:13: services.a.health: expected one of http, tcp, exec, got none "
                  "of them"});
}

TEST(Errors, ProbeAddresses) {
  EXPECT_EQ(errors(service("    ready: {tcp: \"8080\"}\n")),
            Lines{"supd.yaml:4:18: services.a.ready.tcp: expected host:port such as "
                  "127.0.0.1:8080 (port 1 to 65535), got \"8080\""});
  EXPECT_EQ(errors(service("    health: {http: \"https://h/\"}\n")),
            Lines{"supd.yaml:4:20: services.a.health.http: expected an http:// URL (probes do not "
                  "speak TLS), got \"https://h/\""});
  EXPECT_EQ(errors(service("    health: {http: \"localhost:80\"}\n")),
            Lines{"supd.yaml:4:20: services.a.health.http: expected a URL such as "
                  "http://127.0.0.1:8080/healthz, got \"localhost:80\""});
  EXPECT_EQ(errors(service("    health: {notify: true}\n")),
            Lines{"supd.yaml:4:14: services.a.health.notify: unknown key 'notify'; expected one of "
                  "http, tcp, exec, interval, timeout, failures"});
}

TEST(Errors, Outputs) {
  EXPECT_EQ(errors(service("    stdout: inherti\n")),
            Lines{"supd.yaml:4:13: services.a.stdout: expected inherit, null or a map of file, "
                  "max_size, keep, timestamps, got \"inherti\"; did you mean \"inherit\"?"});
  EXPECT_EQ(errors(service("    stdout: stdout\n")),
            Lines{"supd.yaml:4:13: services.a.stdout: expected inherit, null or a map of file, "
                  "max_size, keep, timestamps, got \"stdout\""});
  EXPECT_EQ(errors(service("    stderr: [x]\n")),
            Lines{"supd.yaml:4:13: services.a.stderr: expected stdout, inherit, null or a map of "
                  "file, max_size, keep, timestamps, got a list"});
}

TEST(Errors, KeepMustBeAtLeastOneWhileRotating) {
  EXPECT_EQ(errors(service("    stdout: {keep: 0}\n")),
            Lines{"supd.yaml:4:20: services.a.stdout.keep: expected at least 1 while max_size is "
                  "set, got \"0\""});
}

TEST(Errors, DependsOnWrongType) {
  EXPECT_EQ(errors(service("    depends_on: db\n")),
            Lines{"supd.yaml:4:17: services.a.depends_on: expected a list of service names or a "
                  "map of name: condition, got \"db\""});
}

TEST(Errors, UnknownCondition) {
  EXPECT_EQ(errors("services:\n  db: {command: x}\n  a:\n    command: x\n    depends_on: {db: "
                   "up}\n"),
            Lines{"supd.yaml:5:22: services.a.depends_on.db: expected one of started, ready, "
                  "healthy, completed, got \"up\""});
}

TEST(Errors, UnknownDependency) {
  EXPECT_EQ(errors("services:\n  postgres: {command: x}\n  a:\n    command: x\n"
                   "    depends_on: [postgress, nothing]\n"),
            (Lines{"supd.yaml:5:18: services.a.depends_on[0]: service 'a' depends on unknown "
                   "service 'postgress'; did you mean 'postgres'?",
                   "supd.yaml:5:29: services.a.depends_on[1]: service 'a' depends on unknown "
                   "service 'nothing'"}));
}

TEST(Errors, DependencyListedTwice) {
  EXPECT_EQ(errors("services:\n  b: {command: x}\n  a: {command: x, depends_on: [b, b]}\n"),
            Lines{"supd.yaml:3:35: services.a.depends_on[1]: 'b' is listed twice"});
}

TEST(Errors, DependencyCycle) {
  EXPECT_EQ(errors("services:\n"
                   "  a: {command: x, depends_on: [b]}\n"
                   "  b: {command: x, depends_on: [c]}\n"
                   "  c: {command: x, depends_on: [a]}\n"
                   "  d: {command: x, depends_on: [a]}\n"),
            Lines{"supd.yaml:2:32: services.a.depends_on[0]: dependency cycle: a -> b -> c -> a"});
}

TEST(Errors, SelfDependency) {
  EXPECT_EQ(errors("services:\n  a: {command: x, depends_on: {a: started}}\n"),
            Lines{"supd.yaml:2:32: services.a.depends_on.a: dependency cycle: a -> a"});
}

TEST(Errors, TwoSeparateCycles) {
  EXPECT_EQ(errors("services:\n"
                   "  a: {command: x, depends_on: [b]}\n"
                   "  b: {command: x, depends_on: [a]}\n"
                   "  c: {command: x, depends_on: [d]}\n"
                   "  d: {command: x, depends_on: [c]}\n"),
            (Lines{"supd.yaml:2:32: services.a.depends_on[0]: dependency cycle: a -> b -> a",
                   "supd.yaml:4:32: services.c.depends_on[0]: dependency cycle: c -> d -> c"}));
}

TEST(Errors, HealthyNeedsAHealthCheck) {
  EXPECT_EQ(errors("services:\n  db: {command: x}\n  a: {command: x, depends_on: {db: healthy}}\n"),
            Lines{"supd.yaml:3:32: services.a.depends_on.db: service 'a' waits for 'db' to be "
                  "healthy, but 'db' has no health check"});
}

TEST(Errors, CompletedNeverHappensWithRestartAlways) {
  EXPECT_EQ(errors("services:\n  m: {command: x, restart: always}\n"
                   "  a: {command: x, depends_on: {m: completed}}\n"),
            Lines{"supd.yaml:3:32: services.a.depends_on.m: service 'a' waits for 'm' to "
                  "complete, but 'm' has restart: always and never completes"});
}

TEST(Errors, DuplicateServiceInOneFile) {
  EXPECT_EQ(errors("services:\n  web: {command: x}\n  db: {command: y}\n  web: {command: z}\n"),
            Lines{"supd.yaml:4:3: services.web: duplicate service name 'web'; first defined at "
                  "supd.yaml:2:3"});
}

TEST(Errors, InstanceClashesWithAService) {
  EXPECT_EQ(errors("services:\n  web: {command: x, instances: 2}\n  web.1: {command: y}\n"),
            Lines{"supd.yaml:3:3: services.web.1: service name 'web.1' clashes with an instance "
                  "of 'web' (supd.yaml:2:32)"});
  EXPECT_EQ(errors("services:\n  web.1: {command: y}\n  web: {command: x, instances: 2}\n"),
            Lines{"supd.yaml:3:32: services.web.instances: instance 'web.1' of 'web' clashes with "
                  "the service defined at supd.yaml:2:3"});
}

TEST(Errors, SharedLogFile) {
  EXPECT_EQ(errors("services:\n  a: {command: x, stdout: {file: same.log}}\n"
                   "  b: {command: x, stderr: {file: same.log}}\n"),
            Lines{"supd.yaml:3:34: services.b.stderr.file: a stdout and b stderr would both write "
                  "to same.log"});
  EXPECT_EQ(errors("services:\n  a:\n    command: x\n    stdout: {file: a.log}\n"
                   "    stderr: {file: a.log}\n"),
            Lines{"supd.yaml:5:20: services.a.stderr.file: a stdout and a stderr would both write "
                  "to a.log; to merge them, set stderr: stdout"});
  EXPECT_EQ(
      errors("services:\n  w:\n    command: x\n    instances: 3\n    stdout: {file: w.log}\n"),
      Lines{"supd.yaml:5:20: services.w.stdout.file: w.0 stdout and w.1 stdout would both "
            "write to w.log"});
}

TEST(Errors, InvalidYaml) {
  EXPECT_EQ(errors("services:\n  a: [x,\n  b: 1\n"),
            Lines{"supd.yaml:4:1: invalid YAML: end of sequence flow not found"});
  EXPECT_EQ(errors("services:\n\ta: 1\n").size(), 1u);
}

TEST(Errors, MoreThanOneDocument) {
  EXPECT_EQ(errors("services: {}\n---\nservices: {}\n"),
            Lines{"supd.yaml:2:1: expected one YAML document, but another one starts here"});
}

TEST(Errors, StrayTokenAtTheStartIsNotAnEmptyConfig) {
  EXPECT_EQ(errors(", oops\nservices:\n  a: {command: x}\n"),
            Lines{"supd.yaml:1:1: invalid YAML: unexpected \",\""});
  EXPECT_EQ(errors("# comment\n,\n"), Lines{"supd.yaml:2:1: invalid YAML: unexpected \",\""});
}

TEST(Errors, RootMustBeAMap) {
  EXPECT_EQ(errors("- a\n- b\n"),
            Lines{"supd.yaml:1:1: expected a map with supd: and services:, got a list"});
  EXPECT_EQ(errors("services: [a, b]\n"),
            Lines{"supd.yaml:1:11: services: expected a map, got a list"});
}

TEST(Errors, DaemonSettings) {
  EXPECT_EQ(errors("supd:\n  log_level: loud\n  log_format: xml\n  shutdown_timeout: soon\n"
                   "  include: {a: b}\n"),
            (Lines{"supd.yaml:2:14: supd.log_level: expected one of trace, debug, info, warn, "
                   "error, got \"loud\"",
                   "supd.yaml:3:15: supd.log_format: expected one of text, json, got \"xml\"",
                   "supd.yaml:4:21: supd.shutdown_timeout: expected a duration like 250ms, 10s, "
                   "5m, 1h or a number of seconds, got \"soon\"",
                   "supd.yaml:5:12: supd.include: expected a list or a string, got a map"}));
}

TEST(Errors, EveryProblemIsReportedNotOnlyTheFirst) {
  LoadResult r = load(
      "supd:\n  log_level: loud\n"
      "services:\n"
      "  a:\n    command: x\n    restart: sometimes\n    stop_timeout: forever\n"
      "  b:\n    commnd: y\n"
      "  c: {command: x, depends_on: [zzz]}\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.size(), 6u) << format_diagnostics(r.diagnostics);
}

TEST(Errors, AMapMergingItself) {
  EXPECT_EQ(errors("services:\n  a: &x {command: y, <<: *x}\n"),
            Lines{"supd.yaml:2:6: services.a.<<: a map cannot merge itself"});
}

TEST(Errors, MergedMistakesAreReportedOnce) {
  EXPECT_EQ(errors("x-base: &base {restrt: always}\n"
                   "services:\n  a: {<<: *base, command: x}\n  b: {<<: *base, command: y}\n"),
            Lines{"supd.yaml:1:16: services.a.restrt: unknown key 'restrt'; did you mean "
                  "'restart'?"});
}

}  // namespace
}  // namespace supd::config
