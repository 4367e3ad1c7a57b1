#include "control/server.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <exception>
#include <unordered_map>
#include <utility>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "control/line_framer.h"

namespace supd::control {

// ---------------------------------------------------------------------------------------
// Responder

struct Responder::State {
  nlohmann::json id;
  os::PeerCredentials peer;
  Sink sink;
  bool answered = false;
  bool gone = false;  // nothing can be delivered any more
  bool left = false;  // client_left() ran
  std::function<void()> on_close;
};

Responder::Responder(nlohmann::json id, os::PeerCredentials peer, Sink sink)
    : state_(std::make_shared<State>()) {
  state_->id = std::move(id);
  state_->peer = peer;
  state_->sink = std::move(sink);
}

void Responder::respond_ok(const nlohmann::json& result) const {
  if (!state_ || state_->answered || state_->gone) return;
  state_->answered = true;
  state_->on_close = nullptr;
  state_->sink(encode_ok(state_->id, result), true);
}

void Responder::respond_error(ErrorCode code, std::string message) const {
  respond_error(ControlError{code, std::move(message), std::nullopt, {}});
}

void Responder::respond_error(const ControlError& error) const {
  if (!state_ || state_->answered || state_->gone) return;
  state_->answered = true;
  state_->on_close = nullptr;
  state_->sink(encode_error(state_->id, error), true);
}

bool Responder::send_event(const nlohmann::json& event) const {
  if (!state_ || state_->answered || state_->gone) return false;
  if (!state_->sink(encode_event(state_->id, event), false)) state_->gone = true;
  return !state_->gone;
}

void Responder::on_close(std::function<void()> callback) const {
  if (!state_ || state_->answered) return;
  if (state_->left) {
    if (callback) callback();
    return;
  }
  state_->on_close = std::move(callback);
}

bool Responder::is_open() const { return state_ && !state_->answered && !state_->gone; }

const nlohmann::json& Responder::id() const {
  static const nlohmann::json kNull;
  return state_ ? state_->id : kNull;
}

os::PeerCredentials Responder::peer() const {
  return state_ ? state_->peer : os::PeerCredentials{};
}

void Responder::client_left() const {
  if (!state_ || state_->left) return;
  state_->left = true;
  state_->gone = true;
  if (state_->answered) return;
  auto callback = std::move(state_->on_close);
  state_->on_close = nullptr;
  if (callback) callback();
}

// ---------------------------------------------------------------------------------------
// Session

namespace {

std::string describe_peer(const os::PeerCredentials& peer) {
  return "pid " + (peer.pid >= 0 ? std::to_string(peer.pid) : std::string("?")) + ", uid " +
         (peer.uid >= 0 ? std::to_string(peer.uid) : std::string("?"));
}

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

std::string bytes_text(std::size_t n) {
  constexpr std::size_t kMiB = std::size_t{1024} * 1024;
  if (n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
  if (n % 1024 == 0) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " bytes";
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

class Session;

struct ControlServer::Core : std::enable_shared_from_this<ControlServer::Core> {
  Core(asio::io_context& io_context, std::unique_ptr<os::Listener> l, RequestHandler& h,
       ServerOptions o)
      : io(io_context), listener(std::move(l)), handler(h), options(std::move(o)), retry(io) {}

  void accept();
  void on_accept(std::error_code ec, std::unique_ptr<os::Stream> stream);
  void log(LogLevel level, const std::string& message) const {
    if (options.log) options.log(level, message);
  }
  bool authorized(const os::PeerCredentials& peer) const {
    if (options.authorize) return options.authorize(peer);
    const os::PeerCredentials self = os::own_credentials();
    return peer.uid == 0 || (peer.uid >= 0 && peer.uid == self.uid);
  }
  void close();

  asio::io_context& io;
  std::unique_ptr<os::Listener> listener;
  RequestHandler& handler;
  ServerOptions options;
  asio::steady_timer retry;
  std::unordered_map<const void*, std::shared_ptr<Session>> sessions;
  bool closed = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  Session(const std::shared_ptr<ControlServer::Core>& core, std::unique_ptr<os::Stream> stream)
      : io_(core->io),
        core_(core),
        options_(core->options),
        stream_(std::move(stream)),
        peer_(stream_->peer()),
        framer_(options_.max_line),
        deadline_(io_),
        flush_timer_(io_) {}

  void start() {
    update_deadline();
    read();
  }

  // Sends one error line and ends the session once it is delivered.
  void refuse(const ControlError& error) {
    send(encode_error(nullptr, error));
    close_after_flush();
  }

  void close(const std::string& why);

 private:
  void read();
  void on_read(std::error_code ec, std::size_t n);
  void on_end_of_input();
  void process();
  void dispatch(const std::string& line);
  void finish_request(std::uint64_t seq);
  bool send(std::string line);
  void write_next();
  void close_after_flush();
  void update_deadline();
  void on_deadline();

  asio::io_context& io_;
  std::weak_ptr<ControlServer::Core> core_;
  const ServerOptions options_;
  std::unique_ptr<os::Stream> stream_;
  os::PeerCredentials peer_;
  LineFramer framer_;
  std::array<char, std::size_t{16} * 1024> buffer_{};

  std::optional<Responder> current_;  // the request in flight
  bool current_streaming_ = false;
  bool input_ended_ = false;  // the client half-closed (or closed) its side
  std::uint64_t seq_ = 0;     // numbers requests, so a stale answer finishes nothing
  bool process_posted_ = false;

  std::deque<std::shared_ptr<const std::string>> out_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool reading_ = false;

  asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;
  std::optional<Clock::time_point> partial_since_;
  asio::steady_timer flush_timer_;
  bool closing_ = false;  // no more requests; close once the queue is written
  bool closed_ = false;
};

void Session::read() {
  if (closed_ || closing_ || reading_ || input_ended_) return;
  reading_ = true;
  stream_->async_read_some(
      buffer_.data(), buffer_.size(),
      [self = shared_from_this()](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void Session::on_read(std::error_code ec, std::size_t n) {
  reading_ = false;
  if (closed_ || closing_) return;
  if (ec == asio::error::eof) {
    on_end_of_input();
    return;
  }
  if (ec) {
    close("read failed: " + ec.message());
    return;
  }
  framer_.feed(buffer_.data(), n);
  // The line timeout runs from the first byte of the line still unfinished.
  const bool line_ended = std::memchr(buffer_.data(), '\n', n) != nullptr;
  if (!framer_.has_partial()) {
    partial_since_.reset();
  } else if (line_ended || !partial_since_) {
    partial_since_ = Clock::now();
  }
  process();
  if (closed_ || closing_) return;
  // Requests pipelined behind one in flight wait in the framer; a client piling up more
  // than a few full-size lines without waiting for answers is not a supctl.
  if (framer_.buffered() > 4 * options_.max_line + buffer_.size()) {
    if (auto core = core_.lock()) {
      core->log(LogLevel::Warn, "control: dropping client (" + describe_peer(peer_) +
                                    "): too many requests sent without waiting for answers");
    }
    close("too many pipelined requests");
    return;
  }
  update_deadline();
  read();
}

// The client sent everything it will send. A stream it opened is over: nobody is there
// to read it. Anything else it asked for is still answered (a client such as
// `socat` half-closes right after its request), and the session ends after the last answer.
void Session::on_end_of_input() {
  input_ended_ = true;
  if (current_ && current_streaming_) {
    close("client left");
    return;
  }
  if (framer_.has_partial()) framer_.feed("\n", 1);  // a last line without its newline
  partial_since_.reset();
  process();
}

void Session::process() {
  process_posted_ = false;
  while (!current_ && !closing_ && !closed_) {
    std::optional<std::string> line = framer_.next_line();
    if (!line) {
      if (framer_.overflowed()) {
        if (auto core = core_.lock()) {
          core->log(LogLevel::Info, "control: client (" + describe_peer(peer_) +
                                        ") sent a request line over " +
                                        bytes_text(options_.max_line) + "; closing");
        }
        send(encode_error(nullptr,
                          ControlError{ErrorCode::TooLarge,
                                       "request line longer than " + bytes_text(options_.max_line) +
                                           "; closing the connection",
                                       std::nullopt,
                                       {}}));
        close_after_flush();
      }
      break;
    }
    if (is_blank(*line)) continue;
    dispatch(*line);
  }
  if (input_ended_ && !current_) {
    close_after_flush();
    return;
  }
  update_deadline();
}

void Session::dispatch(const std::string& line) {
  ParseResult parsed = parse_request(line);
  if (!parsed.ok()) {
    send(encode_error(parsed.id, parsed.error));
    return;
  }
  const Request& request = *parsed.request;
  if (request.command == Command::Ping) {
    send(encode_ok(request.id, nlohmann::json{{"pong", true}}));
    return;
  }
  auto core = core_.lock();
  if (!core) return;
  const std::uint64_t seq = ++seq_;
  std::weak_ptr<Session> weak = weak_from_this();
  Responder responder(request.id, peer_, [weak, seq](std::string out, bool final) {
    auto self = weak.lock();
    if (!self || self->closed_) return false;
    bool delivered = self->send(std::move(out));
    if (final) self->finish_request(seq);
    return delivered;
  });
  current_ = responder;
  current_streaming_ =
      request.command == Command::Events || (request.command == Command::Logs && request.follow);
  try {
    core->handler.handle(request, responder);
  } catch (const std::exception& e) {
    core->log(LogLevel::Warn, std::string("control: handling \"") + command_name(request.command) +
                                  "\" failed: " + e.what());
    responder.respond_error(ErrorCode::Failed, std::string("internal error: ") + e.what());
  }
}

void Session::finish_request(std::uint64_t seq) {
  if (seq != seq_ || !current_) return;
  current_.reset();
  // Handle the next request from a fresh handler: the daemon may be answering from inside
  // its own loop over waiting clients and must not be re-entered.
  if (!process_posted_ && !closed_) {
    process_posted_ = true;
    asio::post(io_, [self = shared_from_this()] {
      self->process();
      self->read();
    });
  }
}

bool Session::send(std::string line) {
  if (closed_) return false;
  // The bound applies to what is already waiting, so one large answer still goes out.
  if (queued_bytes_ >= options_.max_queued_bytes) {
    if (auto core = core_.lock()) {
      core->log(LogLevel::Warn, "control: dropping client (" + describe_peer(peer_) +
                                    "): it stopped reading (more than " +
                                    bytes_text(options_.max_queued_bytes) + " queued)");
    }
    close("not reading");
    return false;
  }
  queued_bytes_ += line.size();
  out_.push_back(std::make_shared<const std::string>(std::move(line)));
  write_next();
  return true;
}

void Session::write_next() {
  if (writing_ || out_.empty() || closed_) return;
  writing_ = true;
  stream_->async_write(out_.front(), [self = shared_from_this()](std::error_code ec) {
    self->writing_ = false;
    if (self->closed_) return;
    if (ec) {
      self->close("write failed: " + ec.message());
      return;
    }
    self->queued_bytes_ -= self->out_.front()->size();
    self->out_.pop_front();
    if (self->out_.empty() && self->closing_) {
      self->close("done");
      return;
    }
    self->write_next();
  });
}

void Session::close_after_flush() {
  if (closed_ || closing_) return;
  closing_ = true;
  ++deadline_generation_;
  deadline_.cancel();
  if (out_.empty() && !writing_) {
    close("done");
    return;
  }
  flush_timer_.expires_after(options_.flush_timeout);
  flush_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (!ec) self->close("answer not taken in time");
  });
}

void Session::update_deadline() {
  if (closed_ || closing_) return;
  const std::uint64_t generation = ++deadline_generation_;
  if (current_) {
    deadline_.cancel();  // a request in flight may take as long as it takes
    return;
  }
  if (partial_since_) {
    deadline_.expires_at(*partial_since_ + options_.line_timeout);
  } else {
    deadline_.expires_after(options_.idle_timeout);
  }
  deadline_.async_wait([self = shared_from_this(), generation](std::error_code ec) {
    if (ec || generation != self->deadline_generation_) return;
    self->on_deadline();
  });
}

void Session::on_deadline() {
  if (closed_ || closing_ || current_) return;
  std::string message =
      partial_since_ ? "request line not completed within " + seconds_text(options_.line_timeout)
                     : "no request within " + seconds_text(options_.idle_timeout);
  if (auto core = core_.lock()) {
    core->log(LogLevel::Debug,
              "control: closing client (" + describe_peer(peer_) + "): " + message);
  }
  send(encode_error(
      nullptr,
      ControlError{ErrorCode::Timeout, message + "; closing the connection", std::nullopt, {}}));
  close_after_flush();
}

void Session::close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  ++deadline_generation_;
  deadline_.cancel();
  flush_timer_.cancel();
  stream_->close();
  out_.clear();
  queued_bytes_ = 0;
  if (current_) {
    // Posted: the close may come from inside a Responder call the daemon is making.
    asio::post(io_, [responder = *current_] { responder.client_left(); });
    current_.reset();
  }
  if (auto core = core_.lock()) {
    core->log(LogLevel::Debug, "control: session (" + describe_peer(peer_) + ") ended: " + why);
    core->sessions.erase(this);
  }
}

// ---------------------------------------------------------------------------------------
// ControlServer

void ControlServer::Core::accept() {
  if (closed) return;
  listener->async_accept(
      [weak = weak_from_this()](std::error_code ec, std::unique_ptr<os::Stream> stream) {
        if (auto core = weak.lock()) core->on_accept(ec, std::move(stream));
      });
}

void ControlServer::Core::on_accept(std::error_code ec, std::unique_ptr<os::Stream> stream) {
  if (closed || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors, typically: wait a little instead of spinning on the error.
    log(LogLevel::Warn, "control: accepting a connection failed: " + ec.message());
    retry.expires_after(std::chrono::milliseconds(100));
    retry.async_wait([weak = weak_from_this()](std::error_code wait_ec) {
      auto core = weak.lock();
      if (!wait_ec && core) core->accept();
    });
    return;
  }
  const os::PeerCredentials peer = stream->peer();
  auto session = std::make_shared<Session>(shared_from_this(), std::move(stream));
  if (!authorized(peer)) {
    std::string advice = options.group ? "run as root or join group " + *options.group
                                       : std::string("run as root or as the user supd runs as");
    log(LogLevel::Warn, "control: refused client (" + describe_peer(peer) + "): not authorized");
    session->refuse(ControlError{
        ErrorCode::PermissionDenied, "permission denied: " + advice, std::nullopt, {}});
  } else if (sessions.size() >= options.max_sessions) {
    log(LogLevel::Warn, "control: refused client (" + describe_peer(peer) + "): already " +
                            std::to_string(sessions.size()) + " connections");
    session->refuse(ControlError{ErrorCode::Busy,
                                 "too many control connections (" +
                                     std::to_string(options.max_sessions) + "); try again later",
                                 std::nullopt,
                                 {}});
  } else {
    sessions.emplace(session.get(), session);
    session->start();
  }
  accept();
}

void ControlServer::Core::close() {
  if (closed) return;
  closed = true;
  retry.cancel();
  listener->close();
  // Closing erases from the map; work on a copy.
  auto open = sessions;
  for (auto& [key, session] : open) session->close("server closed");
  sessions.clear();
}

os::Result<std::unique_ptr<ControlServer>> ControlServer::listen(asio::io_context& io,
                                                                 const os::ListenOptions& listen,
                                                                 RequestHandler& handler,
                                                                 ServerOptions options) {
  auto listener = os::listen(io, listen);
  if (!listener) return listener.error();
  if (!options.group) options.group = listen.group;
  return std::make_unique<ControlServer>(io, std::move(*listener), handler, std::move(options));
}

ControlServer::ControlServer(asio::io_context& io, std::unique_ptr<os::Listener> listener,
                             RequestHandler& handler, ServerOptions options)
    : core_(std::make_shared<Core>(io, std::move(listener), handler, std::move(options))) {
  core_->accept();
}

ControlServer::~ControlServer() { core_->close(); }

void ControlServer::close() { core_->close(); }

std::size_t ControlServer::session_count() const { return core_->sessions.size(); }

const std::string& ControlServer::path() const { return core_->listener->path(); }

}  // namespace supd::control
