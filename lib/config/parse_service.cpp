// One entry of `services:`, key by key.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/duration.h"
#include "config/env_file.h"
#include "config/parse.h"
#include "config/probe_address.h"
#include "config/shell_words.h"
#include "config/size.h"
#include "config/suggest.h"
#include "os/file_security.h"

namespace supd::config::detail {
namespace {

constexpr std::int64_t kMaxInstances = 1000;
constexpr std::int64_t kMaxCount = 1000000;

const std::vector<std::string> kLimitNames = {"nofile", "core", "nproc", "as",
                                              "fsize",  "cpu",  "stack", "memlock"};
const std::vector<std::string> kConditions = {"started", "ready", "healthy", "completed"};
const std::vector<std::string> kReadyKinds = {"notify", "tcp", "http", "exec"};
const std::vector<std::string> kHealthKeys = {"http",     "tcp",     "exec",
                                              "interval", "timeout", "failures"};
const std::vector<std::string> kOutputKeys = {"file", "max_size", "keep", "timestamps"};
const std::vector<std::string> kStopSignals = {"TERM", "INT",  "HUP", "QUIT",
                                               "KILL", "USR1", "USR2"};

std::string upper(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

bool is_byte_limit(ResourceLimit limit) {
  switch (limit) {
    case ResourceLimit::Core:
    case ResourceLimit::As:
    case ResourceLimit::Fsize:
    case ResourceLimit::Stack:
    case ResourceLimit::Memlock:
      return true;
    case ResourceLimit::Nofile:
    case ResourceLimit::Nproc:
    case ResourceLimit::Cpu:
      return false;
  }
  return false;
}

class ServiceParser {
 public:
  ServiceParser(Reader& reader, const FileContext& context, ParsedService& out)
      : r_(reader), context_(context), out_(out), s_(out.config) {}

  void parse(const Field& name_field, const Field& body) {
    for (const Field& f : r_.entries(body, keys())) {
      for (const Handler& h : handlers()) {
        if (f.key_name() == h.key) (this->*h.take)(f);
      }
    }
    finish(name_field);
  }

 private:
  using Take = void (ServiceParser::*)(const Field&);
  struct Handler {
    const char* key;
    Take take;
  };

  static const std::vector<Handler>& handlers() {
    static const std::vector<Handler> kHandlers = {
        {"command", &ServiceParser::take_command},
        {"shell", &ServiceParser::take_shell},
        {"cwd", &ServiceParser::take_cwd},
        {"env", &ServiceParser::take_env},
        {"env_file", &ServiceParser::take_env_file},
        {"inherit_env", &ServiceParser::take_inherit_env},
        {"user", &ServiceParser::take_user},
        {"group", &ServiceParser::take_group},
        {"umask", &ServiceParser::take_umask},
        {"limits", &ServiceParser::take_limits},
        {"autostart", &ServiceParser::take_autostart},
        {"restart", &ServiceParser::take_restart},
        {"success_exit_codes", &ServiceParser::take_success_exit_codes},
        {"backoff", &ServiceParser::take_backoff},
        {"start_secs", &ServiceParser::take_start_secs},
        {"max_restarts", &ServiceParser::take_max_restarts},
        {"restart_window", &ServiceParser::take_restart_window},
        {"ready", &ServiceParser::take_ready},
        {"watchdog", &ServiceParser::take_watchdog},
        {"health", &ServiceParser::take_health},
        {"max_runtime", &ServiceParser::take_max_runtime},
        {"stop_signal", &ServiceParser::take_stop_signal},
        {"stop_timeout", &ServiceParser::take_stop_timeout},
        {"depends_on", &ServiceParser::take_depends_on},
        {"instances", &ServiceParser::take_instances},
        {"stdout", &ServiceParser::take_stdout},
        {"stderr", &ServiceParser::take_stderr},
    };
    return kHandlers;
  }
  static const std::vector<std::string>& keys() {
    static const std::vector<std::string> kKeys = [] {
      std::vector<std::string> k;
      for (const Handler& h : handlers()) k.emplace_back(h.key);
      return k;
    }();
    return kKeys;
  }

  template <class T, class U>
  static void set(const std::optional<T>& value, U& target) {
    if (value) target = static_cast<U>(*value);
  }

  std::optional<std::string> non_empty_string(const Field& f, const char* what) {
    std::optional<std::string> text = r_.string(f);
    if (text && text->empty()) {
      r_.error(f, std::string("expected ") + what + ", got an empty string");
      return std::nullopt;
    }
    return text;
  }

  std::optional<Duration> positive_duration(const Field& f) {
    std::optional<Duration> d = r_.duration(f);
    if (d && d->count() == 0) {
      r_.error(f, "expected a duration greater than 0, got " + describe(f.value));
      return std::nullopt;
    }
    return d;
  }

  void take_command(const Field& f) { command_ = f; }
  void take_shell(const Field& f) { set(r_.boolean(f), s_.shell); }
  void take_cwd(const Field& f) { set(non_empty_string(f, "a directory"), s_.cwd); }
  void take_inherit_env(const Field& f) { set(r_.boolean(f), s_.inherit_env); }
  void take_user(const Field& f) { set(non_empty_string(f, "a user name or number"), s_.user); }
  void take_group(const Field& f) { set(non_empty_string(f, "a group name or number"), s_.group); }
  void take_autostart(const Field& f) { set(r_.boolean(f), s_.autostart); }
  void take_restart(const Field& f) {
    if (auto i = r_.choice(f, {"always", "on-failure", "never"})) {
      s_.restart = static_cast<RestartPolicy>(*i);
    }
  }
  void take_start_secs(const Field& f) { set(r_.duration(f), s_.start_secs); }
  void take_max_restarts(const Field& f) { set(r_.integer(f, 0, kMaxCount), s_.max_restarts); }
  void take_restart_window(const Field& f) { set(positive_duration(f), s_.restart_window); }
  void take_watchdog(const Field& f) { set(r_.duration(f), s_.watchdog); }
  void take_max_runtime(const Field& f) { set(r_.duration(f), s_.max_runtime); }
  void take_stop_timeout(const Field& f) { set(r_.duration(f), s_.stop_timeout); }
  void take_instances(const Field& f) {
    set(r_.integer(f, 1, kMaxInstances), out_.instances);
    out_.instances_at = r_.where(f);
  }

  void take_env(const Field& f) {
    for (const Field& e : r_.entries(f, nullptr, /*keep_extensions=*/true)) {
      const std::string name = e.key_name();
      if (name.empty() || name.find('=') != std::string::npos) {
        r_.error_at_key(e, "expected a variable name without '=', got " + quoted(name));
        continue;
      }
      if (std::find(env_names_.begin(), env_names_.end(), name) != env_names_.end()) {
        r_.error_at_key(e, "variable '" + name + "' is set twice");
        continue;
      }
      env_names_.push_back(name);
      if (!e.value.IsScalar()) {
        const char* hint = e.is_null() ? " (write \"\" for an empty value)" : "";
        r_.error(e, std::string("expected a string") + hint + ", got " + describe(e.value));
        continue;
      }
      env_.push_back(EnvVar{name, e.value.Scalar()});
    }
  }

  void take_env_file(const Field& f) {
    std::optional<std::string> path = non_empty_string(f, "a file name");
    if (!path) return;
    s_.env_file = absolute_from(context_.base_dir, *path);
    out_.env_file_at = r_.where(f);
    if (context_.strict_permissions) {
      os::Status st = os::check_config_file_permissions(s_.env_file);
      if (!st.ok()) {
        r_.error(f, s_.env_file + ": " + st.error().message());
        return;
      }
    }
    std::string why;
    std::optional<std::string> text = read_file(s_.env_file, why);
    if (!text) {
      r_.error(f, "cannot read " + s_.env_file + ": " + why);
      return;
    }
    EnvFileResult parsed = parse_env_file(*text, s_.env_file, f.path);
    for (Diagnostic& d : parsed.diagnostics) r_.add(std::move(d));
    env_file_vars_ = std::move(parsed.vars);
  }

  void take_umask(const Field& f) {
    if (f.value.IsScalar()) {
      std::string_view text = f.value.Scalar();
      if (text.starts_with("0o") || text.starts_with("0O")) text.remove_prefix(2);
      std::uint32_t value = 0;
      bool ok = !text.empty() && text.size() <= 4;
      for (char c : text) {
        ok = ok && c >= '0' && c <= '7';
        value = value * 8 + static_cast<std::uint32_t>(c - '0');
      }
      if (ok && value <= 0777) {
        s_.umask = value;
        return;
      }
    }
    r_.error(f, "expected an octal umask such as \"027\", got " + describe(f.value));
  }

  void take_limits(const Field& f) {
    for (const Field& e : r_.entries(f, kLimitNames)) {
      const auto index = static_cast<std::size_t>(
          std::find(kLimitNames.begin(), kLimitNames.end(), e.key_name()) - kLimitNames.begin());
      const auto limit = static_cast<ResourceLimit>(index);
      std::optional<LimitSetting> setting = limit_value(e, limit);
      if (setting) s_.limits.push_back(*setting);
    }
  }

  std::optional<LimitSetting> limit_value(const Field& e, ResourceLimit limit) {
    if (e.value.IsScalar()) {
      const std::string text = upper(e.value.Scalar());
      if (text == "UNLIMITED" || text == "INFINITY") return LimitSetting{limit, std::nullopt};
      std::optional<std::uint64_t> value;
      if (is_byte_limit(limit)) {
        value = parse_size(e.value.Scalar());
      } else {
        std::uint64_t n = 0;
        const std::string& s = e.value.Scalar();
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size()) value = n;
      }
      if (value) return LimitSetting{limit, value};
    }
    const char* expected = is_byte_limit(limit)
                               ? "a size like 512KB, 10MB, 1GB, a number of bytes or \"unlimited\""
                           : limit == ResourceLimit::Cpu ? "a number of seconds or \"unlimited\""
                                                         : "a whole number or \"unlimited\"";
    r_.error(e, std::string("expected ") + expected + ", got " + describe(e.value));
    return std::nullopt;
  }

  void take_success_exit_codes(const Field& f) {
    std::vector<Field> codes;
    if (f.value.IsScalar()) {
      codes.push_back(f);
    } else if (f.value.IsSequence()) {
      codes = r_.items(f, "a list");
    } else {
      r_.error(f, "expected a list of exit codes, got " + describe(f.value));
      return;
    }
    std::vector<int> out;
    for (const Field& c : codes) {
      if (auto code = r_.integer(c, 0, 255)) out.push_back(static_cast<int>(*code));
    }
    s_.success_exit_codes = out;
  }

  void take_backoff(const Field& f) {
    for (const Field& e : r_.entries(f, {"initial", "max", "factor"})) {
      if (e.key_name() == "initial") {
        set(r_.duration(e), s_.backoff.initial);
        backoff_initial_at_ = r_.where(e);
      } else if (e.key_name() == "max") {
        set(r_.duration(e), s_.backoff.max);
        backoff_max_at_ = r_.where(e);
      } else {
        set(r_.number(e, 1.0), s_.backoff.factor);
      }
    }
  }

  // `kinds` are the probe keys; the rest of `allowed` are plain settings handled by `other`.
  template <class Other>
  void take_probe(const Field& f, const std::vector<std::string>& allowed, Probe& probe,
                  Other other) {
    std::string chosen;
    const std::size_t problems_before = r_.diagnostics().size();
    const std::vector<Field> fields = r_.entries(f, allowed);
    const bool keys_reported = r_.diagnostics().size() != problems_before;
    for (const Field& e : fields) {
      const std::string key = e.key_name();
      const bool is_kind = key == "notify" || key == "tcp" || key == "http" || key == "exec";
      if (!is_kind) {
        other(e);
        continue;
      }
      if (!chosen.empty()) {
        r_.error_at_key(
            e, "give only one of " + probe_kinds(allowed) + "; " + chosen + " is already set");
        continue;
      }
      chosen = key;
      take_probe_kind(e, probe);
    }
    // A misspelt kind has been reported as an unknown key; "none of them" would say it twice.
    if (chosen.empty() && f.value.IsMap() && !keys_reported) {
      r_.error(f, "expected one of " + probe_kinds(allowed) + ", got none of them");
    }
  }

  static std::string probe_kinds(const std::vector<std::string>& allowed) {
    std::vector<std::string> kinds;
    for (const std::string& k : allowed) {
      if (k == "notify" || k == "tcp" || k == "http" || k == "exec") kinds.push_back(k);
    }
    return join(kinds);
  }

  void take_probe_kind(const Field& e, Probe& probe) {
    const std::string key = e.key_name();
    if (key == "notify") {
      if (std::optional<bool> on = r_.boolean(e)) {
        probe.kind = *on ? ProbeKind::Notify : ProbeKind::None;
      }
    } else if (key == "tcp") {
      std::optional<std::string> text = r_.string(e);
      if (!text) return;
      std::string why;
      if (std::optional<HostPort> hp = parse_host_port(*text, why)) {
        probe.kind = ProbeKind::Tcp;
        probe.tcp = *hp;
      } else {
        r_.error(e, why);
      }
    } else if (key == "http") {
      std::optional<std::string> text = r_.string(e);
      if (!text) return;
      std::string why;
      if (std::optional<HttpUrl> url = parse_http_url(*text, why)) {
        probe.kind = ProbeKind::Http;
        probe.http = *url;
      } else {
        r_.error(e, why);
      }
    } else if (key == "exec") {
      if (auto argv = r_.argv(e)) {
        probe.kind = ProbeKind::Exec;
        probe.exec = *argv;
      }
    }
  }

  void take_ready(const Field& f) {
    take_probe(f, kReadyKinds, s_.ready, [](const Field&) {});
  }

  void take_health(const Field& f) {
    HealthCheck& h = s_.health;
    take_probe(f, kHealthKeys, h.probe, [this, &h](const Field& e) {
      if (e.key_name() == "interval") {
        set(positive_duration(e), h.interval);
      } else if (e.key_name() == "timeout") {
        set(positive_duration(e), h.timeout);
      } else if (e.key_name() == "failures") {
        set(r_.integer(e, 1, kMaxCount), h.failures);
      }
    });
  }

  void take_stop_signal(const Field& f) {
    if (f.value.IsScalar()) {
      std::optional<os::Signal> sig = os::parse_signal(f.value.Scalar());
      if (sig) {
        std::string_view bare = os::signal_name(*sig);
        bare.remove_prefix(3);
        if (std::find(kStopSignals.begin(), kStopSignals.end(), bare) != kStopSignals.end()) {
          s_.stop_signal = *sig;
          return;
        }
      }
    }
    r_.error(f, "expected one of " + join(kStopSignals) + " (with or without SIG), got " +
                    describe(f.value));
  }

  void take_depends_on(const Field& f) {
    if (f.value.IsSequence()) {
      for (const Field& item : r_.items(f, "a list")) {
        if (std::optional<std::string> name = non_empty_string(item, "a service name")) {
          add_dependency(*name, DependencyCondition::Started, r_.where(item));
        }
      }
    } else if (f.value.IsMap()) {
      for (const Field& e : r_.entries(f, nullptr)) {
        if (auto i = r_.choice(e, kConditions)) {
          add_dependency(e.key_name(), static_cast<DependencyCondition>(*i), r_.where_key(e));
        }
      }
    } else {
      r_.error(f, "expected a list of service names or a map of name: condition, got " +
                      describe(f.value));
    }
  }

  void add_dependency(const std::string& name, DependencyCondition condition, const Where& at) {
    for (const ParsedDependency& d : out_.depends_on) {
      if (d.name == name) {
        r_.add(at, "'" + name + "' is listed twice");
        return;
      }
    }
    out_.depends_on.push_back(ParsedDependency{name, condition, at});
  }

  void take_stdout(const Field& f) { take_output(f, false, s_.stdout_output, out_.stdout_file_at); }
  void take_stderr(const Field& f) { take_output(f, true, s_.stderr_output, out_.stderr_file_at); }

  void take_output(const Field& f, bool is_stderr, OutputConfig& out, Where& file_at) {
    if (f.is_null()) {
      out.mode = OutputMode::Null;
      return;
    }
    if (f.value.IsMap()) {
      std::optional<Field> keep_field;
      for (const Field& e : r_.entries(f, kOutputKeys)) {
        const std::string key = e.key_name();
        if (key == "file") {
          set(non_empty_string(e, "a file name"), out.file);
          file_at = r_.where(e);
        } else if (key == "max_size") {
          set(r_.size(e), out.max_size);
        } else if (key == "keep") {
          set(r_.integer(e, 0, kMaxCount), out.keep);
          keep_field = e;
        } else if (key == "timestamps") {
          set(r_.boolean(e), out.timestamps);
        }
      }
      if (out.max_size > 0 && out.keep < 1 && keep_field) {
        r_.error(*keep_field,
                 "expected at least 1 while max_size is set, got " + describe(keep_field->value));
      }
      return;
    }
    std::vector<std::string> words = {"inherit", "null"};
    if (is_stderr) words.insert(words.begin(), "stdout");
    if (f.value.IsScalar()) {
      const std::string& v = f.value.Scalar();
      if (v == "inherit") {
        out.mode = OutputMode::Inherit;
        return;
      }
      if (v == "null") {
        out.mode = OutputMode::Null;
        return;
      }
      if (is_stderr && v == "stdout") {
        out.mode = OutputMode::MergeIntoStdout;
        return;
      }
    }
    std::string message = "expected " + join(words) + " or a map of " + join(kOutputKeys) +
                          ", got " + describe(f.value);
    if (f.value.IsScalar()) {
      if (std::optional<std::string> near = closest_match(f.value.Scalar(), words)) {
        message += "; did you mean " + quoted(*near) + "?";
      }
    }
    r_.error(f, std::move(message));
  }

  void finish(const Field& name_field) {
    if (!command_) {
      // A service that is not a map at all has been reported already.
      if (name_field.value.IsMap()) r_.error_at_key(name_field, "missing required key 'command'");
    } else if (s_.shell) {
      if (command_->value.IsScalar() && !command_->value.Scalar().empty()) {
        s_.command = shell_argv(command_->value.Scalar());
      } else {
        r_.error(*command_, "expected a string for the shell to run (shell: true), got " +
                                describe(command_->value));
      }
    } else if (auto argv = r_.argv(*command_)) {
      s_.command = *argv;
    }

    // env_file first, then env: an explicit `env` entry overrides the file.
    s_.env.clear();
    for (const std::vector<EnvVar>* list : {&env_file_vars_, &env_}) {
      for (const EnvVar& v : *list) {
        auto same = std::find_if(s_.env.begin(), s_.env.end(),
                                 [&v](const EnvVar& e) { return e.name == v.name; });
        if (same != s_.env.end()) {
          same->value = v.value;
        } else {
          s_.env.push_back(v);
        }
      }
    }

    if (s_.backoff.max < s_.backoff.initial) {
      const bool at_max = backoff_max_at_.line > 0;
      Where at = at_max ? backoff_max_at_ : backoff_initial_at_;
      r_.add(at, at_max ? "must be at least backoff.initial (" +
                              format_duration(s_.backoff.initial) + ")"
                        : "must be at most backoff.max (" + format_duration(s_.backoff.max) + ")");
    }
  }

  Reader& r_;
  const FileContext& context_;
  ParsedService& out_;
  ServiceConfig& s_;
  std::optional<Field> command_;
  std::vector<EnvVar> env_;
  std::vector<std::string> env_names_;  // every name given, valid value or not
  std::vector<EnvVar> env_file_vars_;
  Where backoff_initial_at_;
  Where backoff_max_at_;
};

}  // namespace

bool valid_service_name(std::string_view name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 48 || !alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::optional<ParsedService> parse_service(Reader& reader, const Field& service,
                                           const FileContext& context) {
  const std::string name = service.key_name();
  const bool name_ok = valid_service_name(name);
  if (!name_ok) {
    reader.error_at_key(service,
                        "invalid service name " + quoted(name) +
                            ": expected letters, digits, '_', '.' and '-', starting with a "
                            "letter or digit, at most 48 characters");
  }
  ParsedService out;
  out.config.name = name;
  out.name_at = reader.where_key(service);
  out.config.origin = out.name_at.origin();
  ServiceParser(reader, context, out).parse(service, service);
  if (!name_ok) return std::nullopt;
  return out;
}

}  // namespace supd::config::detail
