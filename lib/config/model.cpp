#include "config/model.h"

#include <filesystem>

namespace supd::config {

std::string Origin::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

const ServiceConfig* Config::find(std::string_view name) const {
  for (const ServiceConfig& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string output_path(const OutputConfig& out, const std::string& log_dir) {
  const std::filesystem::path file(out.file);
  if (file.is_absolute() || log_dir.empty()) return out.file;
  return (std::filesystem::path(log_dir) / file).string();
}

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "?";
}

const char* to_string(LogFormat format) {
  switch (format) {
    case LogFormat::Text:
      return "text";
    case LogFormat::Json:
      return "json";
  }
  return "?";
}

const char* to_string(RestartPolicy policy) {
  switch (policy) {
    case RestartPolicy::Always:
      return "always";
    case RestartPolicy::OnFailure:
      return "on-failure";
    case RestartPolicy::Never:
      return "never";
  }
  return "?";
}

const char* to_string(DependencyCondition condition) {
  switch (condition) {
    case DependencyCondition::Started:
      return "started";
    case DependencyCondition::Ready:
      return "ready";
    case DependencyCondition::Healthy:
      return "healthy";
    case DependencyCondition::Completed:
      return "completed";
  }
  return "?";
}

const char* to_string(ResourceLimit limit) {
  switch (limit) {
    case ResourceLimit::Nofile:
      return "nofile";
    case ResourceLimit::Core:
      return "core";
    case ResourceLimit::Nproc:
      return "nproc";
    case ResourceLimit::As:
      return "as";
    case ResourceLimit::Fsize:
      return "fsize";
    case ResourceLimit::Cpu:
      return "cpu";
    case ResourceLimit::Stack:
      return "stack";
    case ResourceLimit::Memlock:
      return "memlock";
  }
  return "?";
}

const char* to_string(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::None:
      return "none";
    case ProbeKind::Notify:
      return "notify";
    case ProbeKind::Tcp:
      return "tcp";
    case ProbeKind::Http:
      return "http";
    case ProbeKind::Exec:
      return "exec";
  }
  return "?";
}

const char* to_string(OutputMode mode) {
  switch (mode) {
    case OutputMode::File:
      return "file";
    case OutputMode::Inherit:
      return "inherit";
    case OutputMode::Null:
      return "null";
    case OutputMode::MergeIntoStdout:
      return "stdout";
  }
  return "?";
}

}  // namespace supd::config
