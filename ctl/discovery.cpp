#include "ctl/discovery.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "ctl/config_section.h"
#include "os/paths.h"

namespace supd::ctl {
namespace fs = std::filesystem;
namespace {

os::Error plain_error(std::string what) { return os::Error{std::error_code(), std::move(what)}; }

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// A path from the config: relative ones start at the config file's directory.
std::string absolute_from(const fs::path& base_dir, const std::string& text) {
  fs::path p(text);
  if (p.is_relative()) p = base_dir / p;
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

std::string where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "";
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

// The paths in the `supd:` section of `yaml`, the text of the config file at `path` or a
// part of it that keeps the file's line:column positions (config_section.h).
os::Result<ConfigPaths> paths_from_yaml(const std::string& yaml, const std::string& path) {
  const fs::path base_dir = fs::path(path).parent_path();
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return plain_error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                       std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ConfigPaths paths;
  if (root.IsNull()) return paths;
  if (!root.IsMap()) return plain_error(path + ": expected a mapping at the top");
  const YAML::Node section = root["supd"];
  if (!section || section.IsNull()) return paths;
  if (!section.IsMap()) {
    return plain_error(path + ":" + where(section) + "supd: expected a mapping");
  }

  struct Key {
    const char* name;
    std::string* out;
    bool is_path;
  };
  for (const Key& key :
       {Key{"control", &paths.control, true}, Key{"status_page", &paths.status_page, true},
        Key{"group", &paths.group, false}}) {
    const YAML::Node value = section[key.name];
    if (!value || value.IsNull()) continue;
    if (!value.IsScalar()) {
      return plain_error(path + ":" + where(value) + "supd." + key.name + ": expected a string");
    }
    const std::string& scalar = value.Scalar();
    if (scalar.empty()) continue;
    *key.out = key.is_path ? absolute_from(base_dir, scalar) : scalar;
  }
  return paths;
}

}  // namespace

os::Result<ConfigPaths> read_config_paths(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return os::last_error("read " + path);
  std::stringstream stream;
  stream << file.rdbuf();
  if (file.bad()) return os::last_error("read " + path);
  const std::string text = std::move(stream).str();
  // The section alone when it can be found by its text; the whole file when not, and for any
  // problem, so that what is reported is what the whole file says.
  if (auto section = supd_section_text(text)) {
    if (auto paths = paths_from_yaml(*section, path)) return paths;
  }
  return paths_from_yaml(text, path);
}

Endpoints resolve_endpoints(const DiscoveryInputs& inputs) {
  Endpoints out;
  const ConfigPaths none;
  const ConfigPaths& config = inputs.config ? *inputs.config : none;
  if (!inputs.socket_flag.empty()) {
    out.socket = inputs.socket_flag;
  } else if (inputs.socket_env && !inputs.socket_env->empty()) {
    out.socket = *inputs.socket_env;
  } else if (!config.control.empty()) {
    out.socket = config.control;
  } else {
    out.socket = inputs.default_control;
    if (!inputs.system_control.empty() && inputs.exists && !inputs.exists(out.socket) &&
        inputs.exists(inputs.system_control)) {
      out.socket = inputs.system_control;
    }
  }
  if (!inputs.status_page_flag.empty()) {
    out.status_page = inputs.status_page_flag;
  } else if (!config.status_page.empty()) {
    out.status_page = config.status_page;
  } else {
    out.status_page = os::default_status_page_path(out.socket);
  }
  if (!config.group.empty()) out.group = config.group;
  return out;
}

namespace {

std::string default_config_file(const os::PathEnv& env) {
  std::string path = os::default_config_path(env);
  if (!env.is_root && !file_exists(path)) {
    os::PathEnv system_env = env;
    system_env.is_root = true;
    std::string system_config = os::default_config_path(system_env);
    if (file_exists(system_config)) path = std::move(system_config);
  }
  return path;
}

}  // namespace

std::string default_config_file() { return default_config_file(os::current_path_env()); }

os::Result<Discovery> discover(const std::string& config_flag, const std::string& socket_flag,
                               const std::string& status_page_flag) {
  const os::PathEnv env = os::current_path_env();
  os::PathEnv system_env = env;
  system_env.is_root = true;

  Discovery discovery;
  DiscoveryInputs inputs;
  inputs.socket_flag = socket_flag;
  inputs.status_page_flag = status_page_flag;
  if (const char* s = std::getenv("SUPD_SOCKET"); s != nullptr) inputs.socket_env = s;
  inputs.default_control = os::default_control_path(env);
  if (!env.is_root) inputs.system_control = os::default_control_path(system_env);
  inputs.exists = file_exists;

  if (!config_flag.empty()) {
    discovery.config_path = config_flag;
    if (!file_exists(config_flag)) {
      std::error_code ec;
      (void)fs::status(config_flag, ec);
      return os::Error{ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory),
                       "config " + config_flag};
    }
  } else {
    discovery.config_path = default_config_file(env);
  }

  if (file_exists(discovery.config_path)) {
    auto paths = read_config_paths(discovery.config_path);
    if (paths) {
      inputs.config = *paths;
    } else if (socket_flag.empty() || status_page_flag.empty()) {
      discovery.warnings.push_back("cannot use the config for finding supd (" +
                                   paths.error().message() + "); using the defaults");
    }
  }
  discovery.endpoints = resolve_endpoints(inputs);
  return discovery;
}

}  // namespace supd::ctl
