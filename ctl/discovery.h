// Where supd is: its control socket and its status page (SPEC.md, "Files and names").
//
//   socket:      --socket PATH, else $SUPD_SOCKET, else the config's supd.control, else the
//                platform default (os::default_control_path()); for a user other than root
//                whose own default socket does not exist, the system one (/run/supd/supd.sock)
//                when it does, so members of supd's group need no flags.
//   status page: --status-page PATH, else the config's supd.status_page, else beside the
//                socket (supd.status).
//
// The config (-c FILE; default os::default_config_path(), and for a user other than root
// without one of their own, the system config when it exists) is read only for its `supd:`
// section, so a mistake elsewhere in it (a service being edited, an env_file supctl may not
// read) never keeps supctl from finding the daemon.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "os/result.h"

namespace supd::ctl {

// What the config's `supd:` section says about finding the daemon. Relative paths are
// already made absolute from the config file's directory, as supd does.
struct ConfigPaths {
  std::string control;      // "" = not set
  std::string status_page;  // "" = not set
  std::string group;        // "" = not set
};

// Reads the `supd:` section of the YAML file at `path`. Errors: the file cannot be read, is
// not YAML, or the section or one of these keys has the wrong type.
os::Result<ConfigPaths> read_config_paths(const std::string& path);

struct DiscoveryInputs {
  std::string socket_flag;                         // --socket; "" = not given
  std::string status_page_flag;                    // --status-page; "" = not given
  std::optional<std::string> socket_env;           // $SUPD_SOCKET; unset or "" = not given
  std::optional<ConfigPaths> config;               // the config's say, when one was read
  std::string default_control;                     // os::default_control_path()
  std::string system_control;                      // root's default; "" when the same
  std::function<bool(const std::string&)> exists;  // whether a file is there
};

struct Endpoints {
  std::string socket;
  std::string status_page;
  std::optional<std::string> group;  // the config's supd.group: named in permission advice
};

// The precedence rules above, as a pure function.
Endpoints resolve_endpoints(const DiscoveryInputs& inputs);

struct Discovery {
  Endpoints endpoints;
  std::string config_path;            // the config file consulted (or that would have been)
  std::vector<std::string> warnings;  // for stderr: the config could not be used, and why
};

// The config supctl reads without -c: os::default_config_path(), or for a user other than
// root who has none, the system config when it exists.
std::string default_config_file();

// The whole discovery for this process: reads the environment and the config. A config named
// with -c must exist; the default one may be missing (then: defaults). A
// config that cannot be read adds a warning and the defaults are used.
os::Result<Discovery> discover(const std::string& config_flag, const std::string& socket_flag,
                               const std::string& status_page_flag);

}  // namespace supd::ctl
