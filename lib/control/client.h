// supctl's side of the control pipe: synchronous calls with bounded waits.
//
// Each client owns a private io_context and runs it only while it waits, for at most the
// time it was given; nothing here can hang on a daemon that stopped answering.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "os/local_socket.h"
#include "os/result.h"

namespace supd::control {

struct ClientOptions {
  // The daemon's group, named in the "permission denied" advice when known.
  std::optional<std::string> group_hint;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
};

class ControlClient {
 public:
  // Connects to supd at `path`. Errors read like "no supd listening at PATH (is supd
  // running?)" (see os::connect).
  static os::Result<ControlClient> connect(const std::string& path,
                                           const ClientOptions& options = {});

  ControlClient(ControlClient&&) noexcept;
  ControlClient& operator=(ControlClient&&) noexcept;
  ~ControlClient();

  // Sends `request` and returns the daemon's whole answer object: {"v":1,"id":..,"ok":true,
  // "result":{..}} or {"ok":false,"error":{"code":..,"message":..}}. Adds "v" and a fresh
  // "id" when missing; event lines in between are skipped. An Error only when the exchange
  // itself failed: connection lost, no answer within `timeout`, a garbled answer.
  os::Result<nlohmann::json> call(nlohmann::json request, std::chrono::milliseconds timeout);

  // For streaming commands (events, logs with follow): sends `request`, then calls
  // `on_event` with each event object until the daemon sends its final answer (returned as
  // call() does) or `on_event` returns false (the client leaves; returns null). `timeout`,
  // when given, bounds the whole exchange.
  os::Result<nlohmann::json> stream(
      nlohmann::json request, const std::function<bool(const nlohmann::json& event)>& on_event,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Raw access, for tools and tests: one line out ('\n' appended when missing), one line in
  // (without its '\n'). nullopt timeout: wait as long as it takes.
  os::Status send_line(std::string_view line, std::optional<std::chrono::milliseconds> timeout);
  os::Result<std::string> read_line(std::optional<std::chrono::milliseconds> timeout);

  // The daemon, as the kernel saw it at connect time.
  os::PeerCredentials peer() const;
  const std::string& path() const;
  void close();

 private:
  struct Impl;
  explicit ControlClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace supd::control
