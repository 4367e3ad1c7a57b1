// Default paths on POSIX: the rules of paths.h, fed by the real environment.
#include "os/paths.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "os/user.h"

namespace supd::os {
namespace {

// dir + "/" + rest, with exactly one slash between them.
std::string join(std::string dir, std::string_view rest) {
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir + "/" + std::string(rest);
}

// An XDG base directory variable, or "" when it is unset, empty or relative.
std::string xdg_dir(const PathEnv& env, std::string_view name) {
  auto it = env.vars.find(name);
  if (it == env.vars.end() || it->second.empty() || it->second.front() != '/') return "";
  return it->second;
}

std::string private_tmp_dir(const PathEnv& env) { return "/tmp/supd-" + std::to_string(env.uid); }

std::string home_dir(const PathEnv& env) {
  auto it = env.vars.find("HOME");
  if (it != env.vars.end() && !it->second.empty()) return it->second;
  return env.account_home;
}

// $XDG_<...> when set, else ~/<fallback>, else the private tmp dir.
std::string user_base_dir(const PathEnv& env, std::string_view xdg_var,
                          std::string_view home_relative) {
  std::string dir = xdg_dir(env, xdg_var);
  if (!dir.empty()) return dir;
  std::string home = home_dir(env);
  if (home.empty()) return private_tmp_dir(env);
  return join(home, home_relative);
}

}  // namespace

PathEnv current_path_env() {
  PathEnv env;
  env.is_root = running_as_root();
  env.uid = static_cast<std::uint32_t>(::geteuid());
  env.user_name = current_user_name();
  for (const char* name : {"HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME"}) {
    if (const char* value = ::getenv(name)) env.vars.emplace(name, value);
  }
  if (env.vars.find("HOME") == env.vars.end()) {
    if (auto user = lookup_user(std::to_string(env.uid))) env.account_home = user->home;
  }
  return env;
}

std::string default_config_path(const PathEnv& env) {
  if (env.is_root) return "/etc/supd/supd.yaml";
  return join(user_base_dir(env, "XDG_CONFIG_HOME", ".config"), "supd/supd.yaml");
}

std::string default_control_path(const PathEnv& env) {
  if (env.is_root) return "/run/supd/supd.sock";
  std::string runtime = xdg_dir(env, "XDG_RUNTIME_DIR");
  if (runtime.empty()) return join(private_tmp_dir(env), "supd.sock");
  return join(runtime, "supd/supd.sock");
}

std::string default_log_dir(const PathEnv& env) {
  if (env.is_root) return "/var/log/supd";
  return join(user_base_dir(env, "XDG_STATE_HOME", ".local/state"), "supd/log");
}

std::string default_status_page_path(std::string_view control_path) {
  std::size_t slash = control_path.rfind('/');
  if (slash == std::string_view::npos) return "supd.status";
  return std::string(control_path.substr(0, slash + 1)) + "supd.status";
}

std::string default_config_path() { return default_config_path(current_path_env()); }
std::string default_control_path() { return default_control_path(current_path_env()); }
std::string default_log_dir() { return default_log_dir(current_path_env()); }

}  // namespace supd::os
