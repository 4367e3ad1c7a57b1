// Where supd's files go when the config does not say (SPEC.md, "Files and names").
//
// POSIX:                 as root                  otherwise
//   config               /etc/supd/supd.yaml      $XDG_CONFIG_HOME/supd/supd.yaml
//                                                 (else ~/.config/supd/supd.yaml)
//   control socket       /run/supd/supd.sock      $XDG_RUNTIME_DIR/supd/supd.sock
//                                                 (else /tmp/supd-<uid>/supd.sock)
//   status page          beside the control socket: supd.status
//   service logs         /var/log/supd            $XDG_STATE_HOME/supd/log
//                                                 (else ~/.local/state/supd/log)
// XDG variables that are empty or hold a relative path are ignored, as the XDG spec says.
// ~ is $HOME, else the account's home directory; with neither, /tmp/supd-<uid> stands in for
// the XDG base directories.
// Windows: everything under %ProgramData%\supd; the pipe is \\.\pipe\supd, or
// \\.\pipe\supd-<user> when not running as a service.
//
// Each rule is a pure function of a PathEnv so it can be tested with any environment; the
// overloads without one use the real process environment.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace supd::os {

struct PathEnv {
  bool is_root = false;  // Windows: running as a service
  std::uint32_t uid = 0;
  std::string user_name;
  std::string account_home;  // the account's home directory, used when HOME is unset
  // Environment variables (only the ones the rules read need to be present).
  std::map<std::string, std::string, std::less<>> vars;
};

// The real environment of this process.
PathEnv current_path_env();

std::string default_config_path(const PathEnv& env);
std::string default_control_path(const PathEnv& env);
std::string default_log_dir(const PathEnv& env);
// The status page beside a control socket: "/run/supd/supd.sock" -> "/run/supd/supd.status".
std::string default_status_page_path(std::string_view control_path);

std::string default_config_path();
std::string default_control_path();
std::string default_log_dir();

}  // namespace supd::os
