// The control protocol's messages: one JSON object per line (see FORMAT.md).
//
// Everything here is pure: text in, values out. The server and the client do the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "os/signals.h"

namespace supd::control {

inline constexpr int kProtocolVersion = 1;
// The longest request line, not counting its '\n'.
inline constexpr std::size_t kMaxRequestLine = std::size_t{64} * 1024;

enum class Command {
  Status,
  Start,
  Stop,
  Restart,
  Signal,
  Reload,
  Logs,
  Wait,
  Events,
  Shutdown,
  Ping,
  Version,
};

// "status" <-> Command::Status.
const char* command_name(Command command);
std::optional<Command> parse_command(std::string_view name);
// Streaming commands answer with event lines before (or instead of) their final response.
bool is_streaming(Command command);

enum class LogStream { Stdout, Stderr };

// One request. Fields a command does not take keep their defaults; the parser rejects a
// request that sets them.
struct Request {
  nlohmann::json id;  // echoed in every line answering it; null when the request has none
  Command command = Command::Ping;

  // status, events: optional filter; start stop restart signal wait: required;
  // logs: exactly one. ["all"] means every service and is never combined with other names.
  std::vector<std::string> names;
  // start, stop, restart: answer once the services got there (true) or at once (false).
  bool wait = true;
  // start, stop, restart, wait: give up after this long; absent: the daemon's default.
  std::optional<std::int64_t> timeout_ms;
  // signal: required.
  std::optional<os::Signal> signal;
  // logs
  std::int64_t lines = 50;
  bool follow = false;
  LogStream stream = LogStream::Stdout;
  // wait: required; one of the service states.
  std::string state;

  bool all() const { return names.size() == 1 && names.front() == "all"; }
};

enum class ErrorCode {
  NoSuchService,
  BadRequest,
  UnsupportedVersion,
  UnknownCommand,
  TooLarge,
  Timeout,
  PermissionDenied,
  Failed,
  ConfigError,
  Busy,
};

// ErrorCode::NoSuchService <-> "no_such_service". Unknown names parse as Failed.
const char* error_code_name(ErrorCode code);
ErrorCode parse_error_code(std::string_view name);

struct ControlError {
  ErrorCode code = ErrorCode::Failed;
  std::string message;
  std::optional<std::string> did_you_mean;
  std::vector<std::string> details;  // e.g. one line per config problem
};

struct ParseResult {
  nlohmann::json id;               // the request's id when it could be read, else null
  std::optional<Request> request;  // set on success
  ControlError error;              // why not, when !request

  bool ok() const { return request.has_value(); }
};

// Parses one request line (without its '\n'). Never throws. Errors say which field is wrong
// and what was expected, name the supported version or commands, and suggest a close match.
ParseResult parse_request(std::string_view line);

// The request as a JSON object / as a line ending in '\n' (for clients).
nlohmann::json request_to_json(const Request& request);
std::string encode_request(const Request& request);

// Server lines, each ending in '\n'. `id` is omitted when null.
std::string encode_ok(const nlohmann::json& id, const nlohmann::json& result);
std::string encode_error(const nlohmann::json& id, const ControlError& error);
std::string encode_event(const nlohmann::json& id, const nlohmann::json& event);

// A line from the server, as a client reads it.
struct Response {
  nlohmann::json id;
  enum class Kind { Ok, Error, Event } kind = Kind::Ok;
  nlohmann::json result;  // Ok
  ControlError error;     // Error
  nlohmann::json event;   // Event
  nlohmann::json raw;     // the whole object
};

// Parses a server line; an Error-kind Response with BadRequest when it is not one.
Response parse_response(std::string_view line);

// The states `wait` accepts, in lifecycle order.
const std::vector<std::string>& service_state_names();

}  // namespace supd::control
