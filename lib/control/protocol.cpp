#include "control/protocol.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace supd::control {
namespace {

using nlohmann::json;

// The per-command fields, as bits, so "which fields does this command take" is one table.
enum Field : unsigned {
  NamesField = 1u << 0,
  WaitField = 1u << 1,
  TimeoutField = 1u << 2,
  SignalField = 1u << 3,
  LinesField = 1u << 4,
  FollowField = 1u << 5,
  StreamField = 1u << 6,
  StateField = 1u << 7,
};

struct FieldInfo {
  Field field;
  const char* name;
  const char* expected;  // what a value must be, for error messages
};

constexpr std::array<FieldInfo, 8> kFields{{
    {NamesField, "names", "a list of service names, or [\"all\"]"},
    {WaitField, "wait", "true or false"},
    {TimeoutField, "timeout_ms", "a whole number of milliseconds (0 or more)"},
    {SignalField, "signal", "a signal name such as \"TERM\""},
    {LinesField, "lines", "a whole number of lines (0 or more)"},
    {FollowField, "follow", "true or false"},
    {StreamField, "stream", "\"stdout\" or \"stderr\""},
    {StateField, "state", "a service state"},
}};

struct CommandInfo {
  Command command;
  const char* name;
  unsigned allowed;
  unsigned required;
  bool streaming;
};

constexpr std::array<CommandInfo, 12> kCommands{{
    {Command::Status, "status", NamesField, 0, false},
    {Command::Start, "start", NamesField | WaitField | TimeoutField, NamesField, false},
    {Command::Stop, "stop", NamesField | WaitField | TimeoutField, NamesField, false},
    {Command::Restart, "restart", NamesField | WaitField | TimeoutField, NamesField, false},
    {Command::Signal, "signal", NamesField | SignalField, NamesField | SignalField, false},
    {Command::Reload, "reload", 0, 0, false},
    {Command::Logs, "logs", NamesField | LinesField | FollowField | StreamField, NamesField, true},
    {Command::Wait, "wait", NamesField | StateField | TimeoutField, NamesField | StateField, false},
    {Command::Events, "events", NamesField, 0, true},
    {Command::Shutdown, "shutdown", 0, 0, false},
    {Command::Ping, "ping", 0, 0, false},
    {Command::Version, "version", 0, 0, false},
}};

const CommandInfo& info(Command command) {
  for (const CommandInfo& c : kCommands) {
    if (c.command == command) return c;
  }
  return kCommands.back();
}

const FieldInfo* find_field(std::string_view name) {
  for (const FieldInfo& f : kFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

constexpr std::array<const char*, 10> kErrorCodes{{
    "no_such_service",
    "bad_request",
    "unsupported_version",
    "unknown_command",
    "too_large",
    "timeout",
    "permission_denied",
    "failed",
    "config_error",
    "busy",
}};

std::string json_quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// How a value looks, for "expected X, got Y".
std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (s.empty()) return "an empty string";
      if (s.size() > 40) return "string " + json_quote(s.substr(0, 40)) + "...";
      return "string " + json_quote(s);
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number " + value.dump();
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return "a value of another kind";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The candidate closest to `word`, if it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  if (word.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < std::max<std::size_t>(c.size(), 2)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  names.reserve(kCommands.size());
  for (const CommandInfo& c : kCommands) names.emplace_back(c.name);
  return names;
}

std::vector<std::string> field_names(unsigned set) {
  std::vector<std::string> names;
  for (const FieldInfo& f : kFields) {
    if ((set & f.field) != 0) names.emplace_back(f.name);
  }
  return names;
}

ControlError bad_request(std::string message) {
  return ControlError{ErrorCode::BadRequest, std::move(message), std::nullopt, {}};
}

ControlError wrong_type(const std::string& field, const char* expected, const json& got) {
  return bad_request("field " + json_quote(field) + ": expected " + expected + ", got " +
                     describe(got));
}

std::optional<std::int64_t> whole_number(const json& value) {
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) {
    auto i = value.get<std::int64_t>();
    if (i < 0) return std::nullopt;
    return i;
  }
  return std::nullopt;
}

// Reads one field into `request`; an error when its value is not what the field takes.
std::optional<ControlError> read_field(const FieldInfo& field, const json& value,
                                       Request& request) {
  const std::string name = field.name;
  switch (field.field) {
    case NamesField: {
      if (!value.is_array()) return wrong_type(name, field.expected, value);
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& item = value[i];
        std::string where = "names[" + std::to_string(i) + "]";
        if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
          return wrong_type(where, "a service name", item);
        }
        request.names.push_back(item.get<std::string>());
      }
      if (request.names.size() > 1 &&
          std::find(request.names.begin(), request.names.end(), "all") != request.names.end()) {
        return bad_request("field \"names\": \"all\" cannot be combined with other names");
      }
      return std::nullopt;
    }
    case WaitField:
    case FollowField:
      if (!value.is_boolean()) return wrong_type(name, field.expected, value);
      (field.field == WaitField ? request.wait : request.follow) = value.get<bool>();
      return std::nullopt;
    case TimeoutField:
    case LinesField: {
      auto n = whole_number(value);
      if (!n) return wrong_type(name, field.expected, value);
      if (field.field == TimeoutField) {
        request.timeout_ms = *n;
      } else {
        request.lines = *n;
      }
      return std::nullopt;
    }
    case SignalField: {
      if (!value.is_string()) return wrong_type(name, field.expected, value);
      auto signal = os::parse_signal(value.get_ref<const std::string&>());
      if (!signal) {
        return bad_request(
            "field \"signal\": unknown signal " + json_quote(value.get_ref<const std::string&>()) +
            " (expected one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP, WINCH, ALRM; "
            "with or without SIG)");
      }
      request.signal = signal;
      return std::nullopt;
    }
    case StreamField:
      if (value == "stdout") {
        request.stream = LogStream::Stdout;
      } else if (value == "stderr") {
        request.stream = LogStream::Stderr;
      } else {
        return wrong_type(name, field.expected, value);
      }
      return std::nullopt;
    case StateField: {
      const auto& states = service_state_names();
      if (!value.is_string() || std::find(states.begin(), states.end(),
                                          value.get_ref<const std::string&>()) == states.end()) {
        ControlError error = bad_request("field \"state\": expected one of " + join(states) +
                                         ", got " + describe(value));
        if (value.is_string()) error.did_you_mean = closest(value.get<std::string>(), states);
        return error;
      }
      request.state = value.get<std::string>();
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Extra checks once every field is read.
std::optional<ControlError> check_request(const CommandInfo& command, const Request& request,
                                          const json& object) {
  for (const FieldInfo& f : kFields) {
    if ((command.required & f.field) != 0 && !object.contains(f.name)) {
      return bad_request("missing field " + json_quote(f.name) + " for " +
                         json_quote(command.name) + " (expected " + f.expected + ")");
    }
  }
  if ((command.required & NamesField) != 0 && request.names.empty()) {
    return bad_request("field \"names\": " + std::string(command.name) +
                       " needs at least one service name (or [\"all\"])");
  }
  if (command.command == Command::Logs && (request.names.size() != 1 || request.all())) {
    return bad_request("field \"names\": logs shows one service; expected exactly one name, got " +
                       std::to_string(request.names.size()) + (request.all() ? " (\"all\")" : ""));
  }
  return std::nullopt;
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string envelope_start(const json& id) {
  std::string out = "{\"v\":" + std::to_string(kProtocolVersion);
  if (!id.is_null()) out += ",\"id\":" + dump(id);
  return out;
}

}  // namespace

const char* command_name(Command command) { return info(command).name; }

std::optional<Command> parse_command(std::string_view name) {
  for (const CommandInfo& c : kCommands) {
    if (name == c.name) return c.command;
  }
  return std::nullopt;
}

bool is_streaming(Command command) { return info(command).streaming; }

const char* error_code_name(ErrorCode code) {
  auto index = static_cast<std::size_t>(code);
  return index < kErrorCodes.size() ? kErrorCodes[index] : "failed";
}

ErrorCode parse_error_code(std::string_view name) {
  for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
    if (name == kErrorCodes[i]) return static_cast<ErrorCode>(i);
  }
  return ErrorCode::Failed;
}

const std::vector<std::string>& service_state_names() {
  static const std::vector<std::string> kStates{"stopped", "starting", "running", "stopping",
                                                "backoff", "exited",   "fatal"};
  return kStates;
}

ParseResult parse_request(std::string_view line) {
  ParseResult out;
  json object;
  try {
    object = json::parse(line.begin(), line.end());
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at ..."
    std::string why = e.what();
    if (std::size_t close = why.find("] ");
        why.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      why.erase(0, close + 2);
    }
    if (why.size() > 200) why.resize(200);
    out.error = bad_request("malformed JSON: " + why);
    return out;
  }
  if (!object.is_object()) {
    out.error = bad_request("a request must be a JSON object, got " + describe(object));
    return out;
  }

  // Echo the id whenever it is readable, even in an error about another field.
  auto id = object.find("id");
  if (id != object.end() && id->is_number()) out.id = *id;

  auto version = object.find("v");
  if (version == object.end()) {
    out.error = bad_request("missing field \"v\" (the protocol version; this supd speaks " +
                            std::to_string(kProtocolVersion) + ")");
    return out;
  }
  if (!version->is_number_integer()) {
    out.error = wrong_type("v", "the protocol version 1", *version);
    return out;
  }
  if (version->get<std::int64_t>() != kProtocolVersion) {
    out.error = ControlError{ErrorCode::UnsupportedVersion,
                             "protocol version " + version->dump() +
                                 " is not supported; this supd speaks version " +
                                 std::to_string(kProtocolVersion),
                             std::nullopt,
                             {}};
    return out;
  }
  if (id != object.end() && !id->is_number()) {
    out.error = wrong_type("id", "a number", *id);
    return out;
  }

  auto cmd = object.find("cmd");
  if (cmd == object.end()) {
    out.error = bad_request("missing field \"cmd\" (one of " + join(command_names()) + ")");
    return out;
  }
  if (!cmd->is_string()) {
    out.error = wrong_type("cmd", "a command name", *cmd);
    return out;
  }
  const std::string& cmd_name = cmd->get_ref<const std::string&>();
  auto command = parse_command(cmd_name);
  if (!command) {
    out.error = ControlError{
        ErrorCode::UnknownCommand,
        "unknown command " + json_quote(cmd_name) + "; supported: " + join(command_names()),
        closest(cmd_name, command_names()),
        {}};
    return out;
  }
  const CommandInfo& command_info = info(*command);

  Request request;
  request.id = out.id;
  request.command = *command;
  for (const auto& [key, value] : object.items()) {
    if (key == "v" || key == "id" || key == "cmd") continue;
    const FieldInfo* field = find_field(key);
    if (field == nullptr || (command_info.allowed & field->field) == 0) {
      std::vector<std::string> allowed = field_names(command_info.allowed);
      out.error = bad_request(
          "unknown field " + json_quote(key) + " for " + json_quote(command_info.name) + " (" +
          (allowed.empty() ? std::string("it takes no fields") : "it takes: " + join(allowed)) +
          ")");
      out.error.did_you_mean = closest(key, allowed);
      return out;
    }
    if (auto error = read_field(*field, value, request)) {
      out.error = std::move(*error);
      return out;
    }
  }
  if (auto error = check_request(command_info, request, object)) {
    out.error = std::move(*error);
    return out;
  }
  out.request = std::move(request);
  return out;
}

nlohmann::json request_to_json(const Request& request) {
  const CommandInfo& c = info(request.command);
  json out = json::object();
  out["v"] = kProtocolVersion;
  if (!request.id.is_null()) out["id"] = request.id;
  out["cmd"] = c.name;
  if ((c.allowed & NamesField) != 0 && (!request.names.empty() || (c.required & NamesField) != 0)) {
    out["names"] = request.names;
  }
  if ((c.allowed & WaitField) != 0) out["wait"] = request.wait;
  if ((c.allowed & TimeoutField) != 0 && request.timeout_ms) {
    out["timeout_ms"] = *request.timeout_ms;
  }
  if ((c.allowed & SignalField) != 0 && request.signal) {
    out["signal"] = std::string(os::signal_name(*request.signal)).substr(3);
  }
  if ((c.allowed & LinesField) != 0) out["lines"] = request.lines;
  if ((c.allowed & FollowField) != 0) out["follow"] = request.follow;
  if ((c.allowed & StreamField) != 0) {
    out["stream"] = request.stream == LogStream::Stderr ? "stderr" : "stdout";
  }
  if ((c.allowed & StateField) != 0) out["state"] = request.state;
  return out;
}

std::string encode_request(const Request& request) { return dump(request_to_json(request)) + "\n"; }

std::string encode_ok(const nlohmann::json& id, const nlohmann::json& result) {
  return envelope_start(id) +
         ",\"ok\":true,\"result\":" + dump(result.is_null() ? json::object() : result) + "}\n";
}

std::string encode_error(const nlohmann::json& id, const ControlError& error) {
  json body = json::object();
  body["code"] = error_code_name(error.code);
  body["message"] = error.message;
  if (error.did_you_mean) body["did_you_mean"] = *error.did_you_mean;
  if (!error.details.empty()) body["details"] = error.details;
  return envelope_start(id) + ",\"ok\":false,\"error\":" + dump(body) + "}\n";
}

std::string encode_event(const nlohmann::json& id, const nlohmann::json& event) {
  return envelope_start(id) + ",\"event\":" + dump(event) + "}\n";
}

Response parse_response(std::string_view line) {
  Response out;
  out.kind = Response::Kind::Error;
  out.error.code = ErrorCode::Failed;
  json object = json::parse(line.begin(), line.end(), nullptr, false);
  auto malformed = [&](const std::string& why) {
    out.error.message = "malformed answer from supd: " + why;
    return out;
  };
  if (object.is_discarded() || !object.is_object()) return malformed("not a JSON object");
  auto version = object.find("v");
  if (version == object.end() || *version != kProtocolVersion) {
    return malformed("protocol version is not " + std::to_string(kProtocolVersion));
  }
  if (auto id = object.find("id"); id != object.end()) out.id = *id;
  if (auto event = object.find("event"); event != object.end()) {
    out.kind = Response::Kind::Event;
    out.event = *event;
  } else if (auto ok = object.find("ok"); ok != object.end() && ok->is_boolean()) {
    if (ok->get<bool>()) {
      out.kind = Response::Kind::Ok;
      auto result = object.find("result");
      out.result = result != object.end() ? *result : json::object();
    } else {
      auto error = object.find("error");
      if (error == object.end() || !error->is_object()) return malformed("error without details");
      auto code = error->find("code");
      auto message = error->find("message");
      if (code == error->end() || !code->is_string() || message == error->end() ||
          !message->is_string()) {
        return malformed("error without a code and a message");
      }
      out.error.code = parse_error_code(code->get_ref<const std::string&>());
      out.error.message = message->get<std::string>();
      if (auto mean = error->find("did_you_mean"); mean != error->end() && mean->is_string()) {
        out.error.did_you_mean = mean->get<std::string>();
      }
      if (auto details = error->find("details"); details != error->end() && details->is_array()) {
        for (const json& d : *details) {
          out.error.details.push_back(d.is_string() ? d.get<std::string>() : dump(d));
        }
      }
    }
  } else {
    return malformed("neither a result, an error nor an event");
  }
  out.raw = std::move(object);
  return out;
}

}  // namespace supd::control
