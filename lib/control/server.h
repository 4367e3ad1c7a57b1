// The daemon's side of the control pipe: accepts connections, frames and parses requests,
// and hands each one to the daemon's RequestHandler with a Responder to answer through.
//
// Everything runs on one asio::io_context and nothing blocks it: a client that sends
// garbage, a 10 MB line, nothing at all, or that stops reading its answers costs the others
// nothing but a few handler runs. Per connection ("session"):
// - requests are handled one at a time, in order; the next is read from the buffer once the
//   current one is answered (which may happen much later, e.g. start with wait);
// - a request line longer than ServerOptions::max_line gets too_large and the session ends;
// - a session with no request in flight that sends nothing for idle_timeout, or leaves a
//   line unfinished for line_timeout, gets a timeout error and is closed;
// - answers are queued and written one at a time; more than max_queued_bytes waiting
//   (a client that stopped reading a stream) drops the session, with a log line;
// - end of file from the client (it closed or half-closed its side) ends a stream it opened
//   (events, logs with follow): the session closes and the request learns it through
//   Responder::on_close. Other requests already sent are still answered, in order, and
//   the session closes after the last answer; a last line without '\n' counts as a line.
//   (A plain close and a half-close look the same from here, so a departed client's
//   pending non-stream request simply finds nobody to read its answer.)
// Connections beyond max_sessions, and peers `authorize` refuses, get one error line
// (busy / permission_denied) and are closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "control/protocol.h"
#include "os/local_socket.h"
#include "os/result.h"

namespace supd::control {

// How a request is answered. Cheap to copy; every copy is the same answer channel. All
// calls belong on the loop's thread. A default-constructed Responder ignores everything.
class Responder {
 public:
  // Where the lines go: the session, or a test's sink. Returns false when the line could
  // not be delivered because the client is gone (whoever owns the sink then also calls
  // client_left()). `final` marks the answer that ends the request.
  using Sink = std::function<bool(std::string line, bool final)>;

  Responder() = default;
  // A Responder writing to `sink`. The server makes these; request-handler tests can too.
  Responder(nlohmann::json id, os::PeerCredentials peer, Sink sink);

  // Answers the request. Only the first answer counts; later ones, and answers after the
  // client left, are ignored.
  void respond_ok(const nlohmann::json& result = nlohmann::json::object()) const;
  void respond_error(ErrorCode code, std::string message) const;
  void respond_error(const ControlError& error) const;

  // Streams one event line before the answer. False once the client is gone or the
  // request was answered: stop producing events then.
  bool send_event(const nlohmann::json& event) const;

  // `callback` runs once if the session ends before the request is answered: the client
  // left a stream, stopped reading, its connection failed, or the server closed. At once
  // if that already happened. Replaces an earlier callback. The server calls it from a
  // fresh handler on the loop, never from inside another Responder call.
  void on_close(std::function<void()> callback) const;

  // Still waiting for an answer, with the client there.
  bool is_open() const;
  const nlohmann::json& id() const;
  // The client, as the kernel saw it when it connected.
  os::PeerCredentials peer() const;

  // Marks the client as gone and runs the on_close callback if the request is unanswered.
  // The session calls this; tests call it to play a departing client.
  void client_left() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The daemon's commands. handle() runs on the loop and must not block it; it answers
// through the Responder now or later. "ping" is answered by the server itself.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void handle(const Request& request, Responder responder) = 0;
};

enum class LogLevel { Debug, Info, Warn };

struct ServerOptions {
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds line_timeout{std::chrono::seconds(5)};
  // How long a closing session may take to deliver its last lines.
  std::chrono::milliseconds flush_timeout{std::chrono::seconds(2)};
  std::size_t max_sessions = 64;
  std::size_t max_line = kMaxRequestLine;
  std::size_t max_queued_bytes = std::size_t{1} << 20;
  // Named in the "permission denied" advice.
  std::optional<std::string> group;
  // Who may talk to supd. Empty: root and supd's own user.
  std::function<bool(const os::PeerCredentials&)> authorize;
  // Where the server reports dropped and refused clients. Empty: nowhere.
  std::function<void(LogLevel, const std::string&)> log;
};

class ControlServer {
 public:
  // Listens at `listen.path` (see os::listen for what can go wrong) and starts accepting.
  static os::Result<std::unique_ptr<ControlServer>> listen(asio::io_context& io,
                                                           const os::ListenOptions& listen,
                                                           RequestHandler& handler,
                                                           ServerOptions options = {});
  // Serves on an existing listener. `handler` must outlive the server.
  ControlServer(asio::io_context& io, std::unique_ptr<os::Listener> listener,
                RequestHandler& handler, ServerOptions options = {});
  // Closes the listener (removing the socket file) and every session.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Stops accepting and ends every session; requests still open see on_close.
  void close();
  // Sessions being served (refused connections not counted).
  std::size_t session_count() const;
  const std::string& path() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace supd::control
