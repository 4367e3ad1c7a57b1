// Internal to lib/config: the stages between YAML and a Config. Each section is parsed on its
// own (parse_daemon.cpp, parse_service.cpp); what needs every service at once (duplicate
// names, instances, dependencies, log files) is checked in validate.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.h"
#include "config/reader.h"

namespace supd::config::detail {

// What parsing one file needs to know about it.
struct FileContext {
  std::string base_dir;             // directory of the file: relative paths start here
  bool strict_permissions = false;  // check files it names (env_file) like the config itself
};

struct IncludePattern {
  std::string pattern;  // joined to the including file's directory
  Where where;
};

// The `supd:` section into `settings`; include patterns into `includes`.
void parse_daemon_settings(Reader& reader, const Field& section, const FileContext& context,
                           DaemonSettings& settings, std::vector<IncludePattern>& includes);

struct ParsedDependency {
  std::string name;  // as written: a service, an instance (web.1) or an instanced service (web)
  DependencyCondition condition = DependencyCondition::Started;
  Where where;  // of the name
};

// One service as written, before instances are expanded and dependencies resolved.
struct ParsedService {
  ServiceConfig config;  // name, origin and every key; depends_on still empty
  int instances = 1;
  Where name_at;
  Where instances_at;
  std::vector<ParsedDependency> depends_on;
  Where env_file_at;     // line 0 when there is no env_file
  Where stdout_file_at;  // line 0 when the file was not given
  Where stderr_file_at;
};

// [A-Za-z0-9][A-Za-z0-9_.-]{0,47}
bool valid_service_name(std::string_view name);

// One entry of `services:`. nullopt when the service is unusable (the reasons are reported).
std::optional<ParsedService> parse_service(Reader& reader, const Field& service,
                                           const FileContext& context);

// Every parsed service of every file, in order -> the final services: duplicates, instance
// expansion and clashes, dependencies (unknown, unmet conditions, cycles), shared log files.
std::vector<ServiceConfig> resolve_services(const std::vector<ParsedService>& parsed,
                                            const DaemonSettings& settings,
                                            std::vector<Diagnostic>& diagnostics);

// `path` made absolute, relative to `base_dir` when it is relative; lexically normal.
std::string absolute_from(const std::string& base_dir, const std::string& path);

// Reads a whole file. On failure, nullopt and `error` says why ("No such file or directory").
std::optional<std::string> read_file(const std::string& path, std::string& error);

}  // namespace supd::config::detail
