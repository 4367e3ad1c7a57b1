// The desired state: what supd.yaml asks for, validated, with every default filled in.
// Plain values with no YAML in sight; load.h produces them, the daemon consumes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "os/signals.h"

namespace supd::config {

using Duration = std::chrono::milliseconds;

inline constexpr std::uint64_t kMiB = std::uint64_t{1024} * 1024;

// Where a service was defined (1-based line and column). It never makes two services differ:
// moving a service within a file, or into an included file, is no reason to restart it.
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;

  std::string to_string() const;  // "supd.yaml:12:3"
  friend bool operator==(const Origin&, const Origin&) { return true; }
};

enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };

// The `supd:` section. Paths are absolute when set (a relative one in the file is taken from the
// directory of the file holding it); an empty path means "the platform default" (os/paths.h).
struct DaemonSettings {
  std::string control;      // control socket / pipe
  std::string status_page;  // empty: beside the control socket
  std::string group;        // may use supctl (socket 0660); empty: socket 0600
  std::string log_dir;      // where service logs go
  std::string log_file;     // supd's own log; empty: stderr
  LogLevel log_level = LogLevel::Info;
  LogFormat log_format = LogFormat::Text;
  Duration shutdown_timeout = std::chrono::seconds(30);
  std::vector<std::string> include;  // glob patterns, already joined to the file's directory

  bool operator==(const DaemonSettings&) const = default;
};

enum class RestartPolicy { Always, OnFailure, Never };

struct Backoff {
  Duration initial = std::chrono::seconds(1);
  Duration max = std::chrono::seconds(60);
  double factor = 2.0;  // >= 1

  bool operator==(const Backoff&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;

  bool operator==(const EnvVar&) const = default;
};

enum class ResourceLimit { Nofile, Core, Nproc, As, Fsize, Cpu, Stack, Memlock };

struct LimitSetting {
  ResourceLimit limit = ResourceLimit::Nofile;
  std::optional<std::uint64_t> value;  // nullopt: unlimited

  bool operator==(const LimitSetting&) const = default;
};

struct HostPort {
  std::string host;  // name or address; IPv6 without brackets
  std::uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

struct HttpUrl {
  std::string url;  // as written
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/";  // with the query, if any

  bool operator==(const HttpUrl&) const = default;
};

enum class ProbeKind { None, Notify, Tcp, Http, Exec };

// A readiness or health probe; only the member matching `kind` is meaningful.
struct Probe {
  ProbeKind kind = ProbeKind::None;
  HostPort tcp;                   // Tcp: connect succeeds
  HttpUrl http;                   // Http: GET answers 2xx or 3xx
  std::vector<std::string> exec;  // Exec: argv that exits 0

  bool operator==(const Probe&) const = default;
};

struct HealthCheck {
  Probe probe;  // kind None: no health check
  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(2);
  int failures = 3;  // in a row, then the service is hung

  bool operator==(const HealthCheck&) const = default;
};

enum class DependencyCondition { Started, Ready, Healthy, Completed };

struct Dependency {
  std::string service;  // a final service name (an instanced `web` is listed as web.0, web.1...)
  DependencyCondition condition = DependencyCondition::Started;

  bool operator==(const Dependency&) const = default;
};

enum class OutputMode {
  File,             // captured into `file` with rotation
  Inherit,          // supd's own stdout/stderr
  Null,             // discarded
  MergeIntoStdout,  // stderr only: same pipe and file as stdout
};

struct OutputConfig {
  OutputMode mode = OutputMode::File;
  std::string file;  // relative to supd.log_dir unless absolute; see output_path()
  std::uint64_t max_size = 10 * kMiB;  // 0: never rotate
  int keep = 5;                        // rotated files kept
  bool timestamps = false;

  bool operator==(const OutputConfig&) const = default;
};

// One service as supd runs it. `instances: N` (N > 1) in the file yields N of these, named
// NAME.0 .. NAME.N-1. operator== compares the desired state only, so the daemon's reload can
// tell a changed service (restart it) from an unchanged one (leave it alone).
struct ServiceConfig {
  std::string name;         // final name: "web", or "web.2" for an instance
  std::string instance_of;  // "web" for web.2; empty when not instanced
  int instance_index = -1;  // 2 for web.2; -1 when not instanced

  std::vector<std::string> command;  // argv, never empty; with shell: the shell's argv
  bool shell = false;
  std::string cwd;  // empty: supd's working directory
  // The environment the config adds: env_file's variables first, then `env` (later entries win
  // on the same name). With inherit_env, they go on top of supd's own environment.
  std::vector<EnvVar> env;
  std::string env_file;  // absolute path, empty when unset; already read into `env`
  bool inherit_env = true;
  std::string user;                    // name or number; empty: supd's
  std::string group;                   // name or number; empty: the user's
  std::optional<std::uint32_t> umask;  // nullopt: inherited
  std::vector<LimitSetting> limits;    // in file order

  bool autostart = true;
  RestartPolicy restart = RestartPolicy::OnFailure;
  std::vector<int> success_exit_codes = {0};
  Backoff backoff;
  Duration start_secs = std::chrono::seconds(1);
  int max_restarts = 5;
  Duration restart_window = std::chrono::seconds(60);

  Probe ready;                         // kind None: running once start_secs passed
  Duration watchdog = Duration(0);     // 0: off
  HealthCheck health;                  // health.probe.kind None: no probe
  Duration max_runtime = Duration(0);  // 0: off

  os::Signal stop_signal = os::Signal::Term;
  Duration stop_timeout = std::chrono::seconds(10);

  std::vector<Dependency> depends_on;  // resolved, instances expanded, in file order

  OutputConfig stdout_output;  // file defaults to NAME.out.log
  OutputConfig stderr_output;  // file defaults to NAME.err.log

  Origin origin;  // where the name was written; ignored by ==

  bool operator==(const ServiceConfig&) const = default;
};

struct Config {
  DaemonSettings supd;
  std::vector<ServiceConfig> services;  // in file order (includes after the main file)
  std::string source_path;              // the main file as given
  std::vector<std::string> files;       // every YAML file read: the main file, then includes

  const ServiceConfig* find(std::string_view name) const;
};

// Where a File output goes: `out.file` if absolute, else joined to `log_dir`.
std::string output_path(const OutputConfig& out, const std::string& log_dir);

// The words the config uses: "on-failure", "healthy", "nofile", "info", "json", "tcp"...
const char* to_string(LogLevel level);
const char* to_string(LogFormat format);
const char* to_string(RestartPolicy policy);
const char* to_string(DependencyCondition condition);
const char* to_string(ResourceLimit limit);
const char* to_string(ProbeKind kind);
const char* to_string(OutputMode mode);  // "file" "inherit" "null" "stdout"

}  // namespace supd::config
