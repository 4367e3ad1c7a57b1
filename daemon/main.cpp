// supd: the supervisor daemon. Wiring only: arguments, the keeper, config, logging, run.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "config/load.h"
#include "daemon/daemon.h"
#include "daemon/logging.h"
#include "os/keeper.h"
#include "os/paths.h"
#include "os/signals.h"
#ifdef _WIN32
#include "windows-service/service.h"
#endif

namespace {

int run_daemon(const std::string& config_path, const std::string& log_level) {
  // Before anything else, and before any thread: from here on the process the caller
  // started is the keeper, and this one is the daemon (see os/keeper.h).
  const supd::os::KeeperRole role = supd::os::start_keeper();
  supd::os::ignore_sigpipe();

  supd::config::LoadResult loaded = supd::config::load_config(config_path);
  if (!loaded.ok()) {
    std::cerr << supd::config::format_diagnostics(loaded.diagnostics);
    std::cerr << "supd: " << config_path << ": not starting, fix the problems above\n";
    return 2;
  }
  if (supd::os::Status st = supd::daemon::setup_logging(loaded.config->supd, log_level); !st) {
    std::cerr << "supd: " << st.error().message() << "\n";
    return 2;
  }
  if (!role.has_keeper) spdlog::debug("running without a keeper: {}", role.why_not);

  supd::daemon::DaemonPaths paths = supd::daemon::resolve_paths(*loaded.config, config_path);
  supd::daemon::Daemon daemon(std::move(*loaded.config), std::move(paths));
  return daemon.run();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"supd: keeps the services of supd.yaml running"};
  std::string config_path;
  bool check = false;
  bool version = false;
  std::string log_level;
  app.add_option("-c,--config", config_path,
                 "config file (default: " + supd::os::default_config_path() + ")");
  app.add_flag("--check", check, "validate the config, print ok or the problems, and exit");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_flag("--version", version, "print the version and exit");
#ifdef _WIN32
  bool as_service = false;
  app.add_flag(supd::service::kServiceFlag, as_service,
               "run as the Windows service (the service control manager starts supd so)");
  app.fallthrough();  // `supd install-service -c FILE`: -c belongs to supd
  CLI::App* install = app.add_subcommand(
      "install-service", "register supd with the service control manager (with -c FILE)");
  CLI::App* uninstall =
      app.add_subcommand("uninstall-service", "stop and remove supd's Windows service");
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (version) {
    std::cout << "supd " << SUPD_VERSION << "\n";
    return 0;
  }
  if (config_path.empty()) config_path = supd::os::default_config_path();
  if (check) return supd::config::check_config_command(config_path, std::cout, std::cerr);
#ifdef _WIN32
  if (install->parsed()) {
    auto installed = supd::service::install(config_path);
    if (!installed) {
      std::cerr << "supd: " << installed.error().message() << "\n";
      return 1;
    }
    for (const std::string& w : installed->warnings) std::cerr << "supd: warning: " << w << "\n";
    std::cout << "installed the service " << supd::service::kServiceName << ": "
              << installed->command_line << "\n";
    return 0;
  }
  if (uninstall->parsed()) {
    if (supd::os::Status st = supd::service::uninstall(); !st) {
      std::cerr << "supd: " << st.error().message() << "\n";
      return 1;
    }
    std::cout << "removed the service " << supd::service::kServiceName << "\n";
    return 0;
  }
  if (as_service) {
    return supd::service::run_as_service([&] { return run_daemon(config_path, log_level); });
  }
#endif
  return run_daemon(config_path, log_level);
}
