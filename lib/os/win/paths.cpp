// Default paths on Windows (SPEC.md): everything under %ProgramData%\supd, and the control
// pipe \\.\pipe\supd for the service or \\.\pipe\supd-<user> for anyone else. "Root" in
// PathEnv means running as a service here.
#include "os/paths.h"

#include <windows.h>

#include <string>
#include <utility>

#include "os/user.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

constexpr std::string_view kPipePrefix = R"(\\.\pipe\)";

std::string program_data(const PathEnv& env) {
  auto it = env.vars.find("ProgramData");
  if (it != env.vars.end() && !it->second.empty()) return it->second;
  return R"(C:\ProgramData)";
}

std::string supd_dir(const PathEnv& env) {
  std::string dir = program_data(env);
  while (!dir.empty() && (dir.back() == '\\' || dir.back() == '/')) dir.pop_back();
  return dir + R"(\supd)";
}

std::string environment_variable(const wchar_t* name) {
  wchar_t value[32767];
  const DWORD n = GetEnvironmentVariableW(name, value, 32767);
  if (n == 0 || n >= 32767) return {};
  return win::narrow(std::wstring_view(value, n));
}

// Services run in session 0, interactive users never do (since Windows Vista).
bool running_as_service() {
  DWORD session = 0;
  return ProcessIdToSessionId(GetCurrentProcessId(), &session) && session == 0;
}

// A pipe name may hold any character but a backslash.
std::string pipe_safe(std::string name) {
  for (char& c : name) {
    if (c == '\\' || c == '/') c = '_';
  }
  return name;
}

}  // namespace

PathEnv current_path_env() {
  PathEnv env;
  env.is_root = running_as_service();
  env.user_name = current_user_name();
  if (std::string value = environment_variable(L"ProgramData"); !value.empty()) {
    env.vars.emplace("ProgramData", std::move(value));
  }
  return env;
}

std::string default_config_path(const PathEnv& env) { return supd_dir(env) + R"(\supd.yaml)"; }

std::string default_control_path(const PathEnv& env) {
  if (env.is_root) return std::string(kPipePrefix) + "supd";
  return std::string(kPipePrefix) + "supd-" + pipe_safe(env.user_name);
}

std::string default_log_dir(const PathEnv& env) { return supd_dir(env) + R"(\log)"; }

// A pipe has no directory to sit beside: its page goes to %ProgramData%\supd\<pipe>.status.
// Any other path gets supd.status in its directory, as on POSIX.
std::string default_status_page_path(std::string_view control_path) {
  if (control_path.substr(0, kPipePrefix.size()) == kPipePrefix) {
    return supd_dir(current_path_env()) + "\\" +
           pipe_safe(std::string(control_path.substr(kPipePrefix.size()))) + ".status";
  }
  const std::size_t slash = control_path.find_last_of("\\/");
  if (slash == std::string_view::npos) return "supd.status";
  return std::string(control_path.substr(0, slash + 1)) + "supd.status";
}

std::string default_config_path() { return default_config_path(current_path_env()); }
std::string default_control_path() { return default_control_path(current_path_env()); }
std::string default_log_dir() { return default_log_dir(current_path_env()); }

}  // namespace supd::os
