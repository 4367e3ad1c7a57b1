#include "control/client.h"

#include <array>

#include <asio/error.hpp>

#include "control/line_framer.h"
#include "control/protocol.h"

namespace supd::control {
namespace {

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

// Answers (status of many services, log lines) may be far longer than a request.
constexpr std::size_t kMaxAnswerLine = std::size_t{16} * 1024 * 1024;

os::Error plain_error(std::string what) { return os::Error{std::error_code(), std::move(what)}; }

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

Deadline deadline_after(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return std::nullopt;
  return Clock::now() + *timeout;
}

}  // namespace

struct ControlClient::Impl {
  asio::io_context io;  // declared before `stream`, which must go first
  std::unique_ptr<os::Stream> stream;
  std::string path;
  LineFramer framer{kMaxAnswerLine};
  std::array<char, std::size_t{64} * 1024> buffer{};
  std::int64_t next_id = 1;
  bool broken = false;  // the connection is unusable after a failure or timeout

  // Runs the private loop until `done` is set or the deadline passes (false then).
  bool run_until(const bool& done, const Deadline& deadline) {
    io.restart();
    while (!done) {
      std::size_t ran = 0;
      if (deadline) {
        auto now = Clock::now();
        if (now >= *deadline) return false;
        ran = io.run_one_for(*deadline - now);
      } else {
        ran = io.run_one();
      }
      if (ran == 0 && io.stopped()) return done;
    }
    return true;
  }

  // Gives up on the connection and lets the cancelled operation's handler run, so nothing
  // refers to the caller's stack afterwards.
  void abandon() {
    broken = true;
    stream->close();
    io.restart();
    io.run();
  }

  os::Error timeout_error(std::chrono::milliseconds timeout) const {
    return plain_error("no answer from supd at " + path + " within " + duration_text(timeout) +
                       " (is it hung?)");
  }

  os::Status send_line(std::string line, const Deadline& deadline,
                       std::optional<std::chrono::milliseconds> timeout) {
    if (broken) return plain_error("the connection to supd at " + path + " is closed");
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    bool done = false;
    std::error_code ec;
    stream->async_write(std::make_shared<const std::string>(std::move(line)),
                        [&](std::error_code e) {
                          done = true;
                          ec = e;
                        });
    if (!run_until(done, deadline)) {
      abandon();
      return timeout_error(*timeout);
    }
    if (ec) {
      broken = true;
      if (ec == asio::error::broken_pipe || ec == asio::error::connection_reset) {
        return plain_error("supd at " + path + " closed the connection");
      }
      return os::Error{ec, "send to supd at " + path};
    }
    return {};
  }

  os::Result<std::string> read_line(const Deadline& deadline,
                                    std::optional<std::chrono::milliseconds> timeout) {
    for (;;) {
      if (auto line = framer.next_line()) return std::move(*line);
      if (framer.overflowed()) {
        broken = true;
        return plain_error("answer from supd at " + path + " is too long (over 16 MiB)");
      }
      if (broken) return plain_error("the connection to supd at " + path + " is closed");
      bool done = false;
      std::error_code ec;
      std::size_t n = 0;
      stream->async_read_some(buffer.data(), buffer.size(), [&](std::error_code e, std::size_t k) {
        done = true;
        ec = e;
        n = k;
      });
      if (!run_until(done, deadline)) {
        abandon();
        return timeout_error(*timeout);
      }
      if (ec) {
        broken = true;
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
          return plain_error("supd at " + path + " closed the connection");
        }
        return os::Error{ec, "read from supd at " + path};
      }
      framer.feed(buffer.data(), n);
    }
  }

  // Sends `request` and reads lines until the final answer for it; events go to `on_event`.
  os::Result<nlohmann::json> exchange(nlohmann::json request,
                                      const std::function<bool(const nlohmann::json&)>* on_event,
                                      std::optional<std::chrono::milliseconds> timeout) {
    if (!request.is_object()) return plain_error("a request must be a JSON object");
    if (!request.contains("v")) request["v"] = kProtocolVersion;
    if (!request.contains("id")) request["id"] = next_id++;
    const nlohmann::json id = request["id"];
    const Deadline deadline = deadline_after(timeout);

    os::Status sent = send_line(
        request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), deadline, timeout);
    if (!sent) return sent.error();
    for (;;) {
      auto line = read_line(deadline, timeout);
      if (!line) return line.error();
      Response response = parse_response(*line);
      if (response.raw.is_null()) {
        broken = true;
        return plain_error(response.error.message);
      }
      // An answer to an earlier, abandoned request; session-wide errors carry no id.
      if (!response.id.is_null() && response.id != id) continue;
      if (response.kind == Response::Kind::Event) {
        if (on_event != nullptr && !(*on_event)(response.event)) {
          broken = true;
          stream->close();
          return nlohmann::json(nullptr);
        }
        continue;
      }
      return std::move(response.raw);
    }
  }
};

ControlClient::ControlClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient& ControlClient::operator=(ControlClient&&) noexcept = default;
ControlClient::~ControlClient() = default;

os::Result<ControlClient> ControlClient::connect(const std::string& path,
                                                 const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  os::ConnectOptions connect_options;
  connect_options.group_hint = options.group_hint;
  connect_options.timeout = options.connect_timeout;
  auto stream = os::connect(impl->io, path, connect_options);
  if (!stream) return stream.error();
  impl->stream = std::move(*stream);
  impl->path = path;
  return ControlClient(std::move(impl));
}

os::Result<nlohmann::json> ControlClient::call(nlohmann::json request,
                                               std::chrono::milliseconds timeout) {
  return impl_->exchange(std::move(request), nullptr, timeout);
}

os::Result<nlohmann::json> ControlClient::stream(
    nlohmann::json request, const std::function<bool(const nlohmann::json& event)>& on_event,
    std::optional<std::chrono::milliseconds> timeout) {
  return impl_->exchange(std::move(request), &on_event, timeout);
}

os::Status ControlClient::send_line(std::string_view line,
                                    std::optional<std::chrono::milliseconds> timeout) {
  return impl_->send_line(std::string(line), deadline_after(timeout), timeout);
}

os::Result<std::string> ControlClient::read_line(std::optional<std::chrono::milliseconds> timeout) {
  return impl_->read_line(deadline_after(timeout), timeout);
}

os::PeerCredentials ControlClient::peer() const { return impl_->stream->peer(); }

const std::string& ControlClient::path() const { return impl_->path; }

void ControlClient::close() {
  impl_->broken = true;
  impl_->stream->close();
}

}  // namespace supd::control
