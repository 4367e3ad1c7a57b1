// supd as a Windows service (Windows only): running under the service control manager, and
// registering with it. supd's main dispatches here; the daemon itself is the same as in a
// terminal.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "os/result.h"

namespace supd::service {

// The name supd is registered under ("sc start supd").
inline constexpr char kServiceName[] = "supd";
// The argument `install-service` puts on supd's command line for the SCM to start it with.
inline constexpr char kServiceFlag[] = "--service";
// A custom control code (`sc control supd 128`): reopen the services' log files, as SIGUSR1.
inline constexpr unsigned kReopenLogsControl = 128;

// Runs `run_daemon` as the service the SCM started this process for, and returns the
// process exit code once the service stopped. The SCM sees START_PENDING until the daemon
// takes control signals, then RUNNING; STOP and SHUTDOWN become the daemon's graceful
// shutdown (as SIGTERM: STOP_PENDING, with the wait hint renewed every second, while the
// services stop); PARAMCHANGE reloads the config and control 128 reopens the logs. When
// `run_daemon` returns non-zero the service stops with that service-specific exit code.
//
// A service has no console and no standard error: what supd writes there (its log, unless
// the config sets supd.log_file, and any reason it could not start) is appended to
// service_stderr_path() instead.
//
// Fails with 1 and a message on stderr when the process was not started by the SCM.
int run_as_service(const std::function<int()>& run_daemon);

// %ProgramData%\supd\log\supd.stderr.log
std::string service_stderr_path();

struct Installed {
  std::string command_line;           // what the SCM will run
  std::vector<std::string> warnings;  // settings that could not be made (the service works)
};

// Registers supd with the SCM as the service kServiceName, started automatically at boot as
// LocalSystem, running this executable (its absolute path) with kServiceFlag and
// `-c <config_path made absolute>`; restarted by the SCM when it fails. Errors say why: the
// config file is missing, the caller is not an administrator, it is already installed.
os::Result<Installed> install(const std::string& config_path);

// Stops the service if it runs (waiting up to `stop_wait` for it) and removes it.
// Errors: not installed, not permitted, did not stop in time.
os::Status uninstall(std::chrono::seconds stop_wait = std::chrono::seconds(60));

}  // namespace supd::service
