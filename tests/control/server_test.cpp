// The control server with real clients over a real socket: the daemon's loop runs on its
// own thread, clients (ControlClient, or raw streams playing misbehaving ones) on others.
#include "control/server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <latch>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/client.h"

namespace supd::control {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TestHandler : public RequestHandler {
 public:
  std::function<void(const Request&, Responder)> on_request;

  void handle(const Request& request, Responder responder) override {
    if (on_request) return on_request(request, responder);
    responder.respond_ok({{"cmd", command_name(request.command)}, {"names", request.names}});
  }
};

bool eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : guard_(asio::make_work_guard(io_)) {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("supd-ctl-" + std::to_string(os::own_credentials().pid) +
                                        "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "supd.sock").string();
  }

  ~ServerTest() override {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start(ServerOptions options = {}) {
    options.log = [this](LogLevel, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex_);
      logs_.push_back(message);
    };
    auto server = ControlServer::listen(io_, {path_, std::nullopt}, handler_, std::move(options));
    ASSERT_TRUE(server.ok()) << server.error().message();
    server_ = std::move(*server);
    std::promise<void> drained;
    loop_done_ = drained.get_future();
    thread_ = std::thread([this, drained = std::move(drained)]() mutable {
      io_.run();
      drained.set_value();
    });
  }

  // Destroys the server on its loop, then lets the loop run dry: every session and pending
  // operation must wind down by itself.
  void stop() {
    if (!thread_.joinable()) return;
    on_loop([this] { server_.reset(); });
    guard_.reset();
    if (loop_done_.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "the loop still had work 10 s after the server was destroyed";
      io_.stop();
    }
    thread_.join();
  }

  template <class F>
  auto on_loop(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  ControlClient client() {
    auto c = ControlClient::connect(path_);
    EXPECT_TRUE(c.ok()) << c.error().message();
    return std::move(*c);
  }

  std::size_t sessions() {
    return on_loop([this] { return server_ ? server_->session_count() : 0; });
  }

  bool logged(const std::string& part) {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(logs_.begin(), logs_.end(),
                       [&](const std::string& m) { return m.find(part) != std::string::npos; });
  }

  static json read_json(ControlClient& c) {
    auto line = c.read_line(10s);
    EXPECT_TRUE(line.ok()) << line.error().message();
    return line.ok() ? json::parse(*line) : json();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  TestHandler handler_;
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  std::future<void> loop_done_;
  fs::path dir_;
  std::string path_;
  std::mutex mutex_;
  std::vector<std::string> logs_;
};

TEST_F(ServerTest, PingIsAnsweredByTheServer) {
  start();
  auto c = client();
  auto answer = c.call({{"cmd", "ping"}, {"id", 41}}, 10s);
  ASSERT_TRUE(answer.ok()) << answer.error().message();
  EXPECT_EQ(*answer, (json{{"v", 1}, {"id", 41}, {"ok", true}, {"result", {{"pong", true}}}}));
}

TEST_F(ServerTest, HandlerGetsTheParsedRequest) {
  start();
  auto c = client();
  auto answer = c.call({{"cmd", "status"}, {"names", {"web", "db"}}}, 10s);
  ASSERT_TRUE(answer.ok()) << answer.error().message();
  EXPECT_EQ((*answer)["ok"], true);
  EXPECT_EQ((*answer)["id"], 1);  // the client numbered it
  EXPECT_EQ((*answer)["result"], (json{{"cmd", "status"}, {"names", {"web", "db"}}}));
  // The same connection serves the next request.
  auto again = c.call({{"cmd", "version"}}, 10s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["id"], 2);
  EXPECT_EQ((*again)["result"]["cmd"], "version");
}

TEST_F(ServerTest, ProtocolErrorsAreAnsweredAndTheSessionGoesOn) {
  start();
  auto c = client();
  ASSERT_TRUE(c.send_line("this is not json", 10s).ok());
  json bad = read_json(c);
  EXPECT_EQ(bad["ok"], false);
  EXPECT_EQ(bad["error"]["code"], "bad_request");

  auto version = c.call({{"v", 3}, {"cmd", "ping"}}, 10s);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ((*version)["error"]["code"], "unsupported_version");
  auto verb = c.call({{"cmd", "strat"}, {"names", {"x"}}}, 10s);
  ASSERT_TRUE(verb.ok());
  EXPECT_EQ((*verb)["error"]["code"], "unknown_command");
  EXPECT_EQ((*verb)["error"]["did_you_mean"], "start");

  auto ping = c.call({{"cmd", "ping"}}, 10s);
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ((*ping)["ok"], true);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  auto c = client();
  ASSERT_TRUE(c.send_line(R"({"v":1,"id":1,"cmd":"status"})"
                          "\n"
                          R"({"v":1,"id":2,"cmd":"ping"})"
                          "\n\n"
                          R"({"v":1,"id":3,"cmd":"version"})",
                          10s)
                  .ok());
  EXPECT_EQ(read_json(c)["id"], 1);
  EXPECT_EQ(read_json(c)["id"], 2);
  EXPECT_EQ(read_json(c)["id"], 3);
}

TEST_F(ServerTest, FiftyConcurrentClientsAreAllAnswered) {
  start();
  constexpr int kClients = 50;
  std::latch connected(kClients + 1);
  std::latch go(1);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  threads.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      auto c = ControlClient::connect(path_);
      connected.count_down();
      go.wait();
      if (!c.ok()) return;
      auto ping = c->call({{"cmd", "ping"}}, 30s);
      auto status = c->call({{"cmd", "status"}, {"names", {"svc" + std::to_string(i)}}}, 30s);
      if (ping.ok() && (*ping)["ok"] == true && status.ok() &&
          (*status)["result"]["names"][0] == "svc" + std::to_string(i)) {
        ++answered;
      }
    });
  }
  connected.arrive_and_wait();
  EXPECT_TRUE(eventually([&] { return sessions() == kClients; })) << sessions();
  go.count_down();
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), kClients);
}

// A raw connection that plays a misbehaving client until told to stop.
void misbehave(const std::string& path, const std::atomic<bool>& stop,
               const std::function<void(os::Stream&)>& act) {
  while (!stop) {
    asio::io_context io;
    auto s = os::connect(io, path);
    if (!s) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    act(**s);
  }
}

TEST_F(ServerTest, MisbehavingClientsDoNotDelayOthers) {
  ServerOptions options;
  options.idle_timeout = 60s;  // the silent clients stay for the whole test
  options.line_timeout = 60s;
  start(options);

  std::atomic<bool> stop{false};
  std::atomic<std::size_t> garbage_bytes{0};
  std::atomic<int> huge_lines{0};
  std::vector<std::thread> abusers;
  // Garbage, line after line, never reading the error answers.
  abusers.emplace_back([&] {
    std::mt19937 random(42);
    misbehave(path_, stop, [&](os::Stream& s) {
      std::string junk;
      while (!stop) {
        junk.clear();
        for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>(random() % 256));
        if (!s.write_all(junk.data(), junk.size()).ok()) return;
        garbage_bytes += junk.size();
      }
    });
  });
  // A 10 MB line.
  abusers.emplace_back([&] {
    const std::string huge(std::size_t{10} * 1024 * 1024, 'x');
    misbehave(path_, stop, [&](os::Stream& s) {
      (void)s.write_all(huge.data(), huge.size());
      ++huge_lines;
    });
  });
  // Silent connections that never send a byte.
  std::vector<ControlClient> silent;
  silent.reserve(5);
  for (int i = 0; i < 5; ++i) silent.push_back(client());

  auto persistent = client();
  std::chrono::nanoseconds worst{0};
  int pings = 0;
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until || pings < 20) {
    const auto t0 = std::chrono::steady_clock::now();
    auto fresh = ControlClient::connect(path_);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message();
    auto a = fresh->call({{"cmd", "ping"}}, 10s);
    auto b = persistent.call({{"cmd", "ping"}}, 10s);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*a)["ok"], true);
    EXPECT_EQ((*b)["ok"], true);
    worst = std::max(worst, std::chrono::nanoseconds(elapsed));
    ++pings;
  }
  stop = true;
  for (auto& t : abusers) t.join();
  const auto worst_ms =
      static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(worst).count()) /
      1000.0;
  std::printf(
      "[ timing   ] %d ping rounds beside misbehaving clients (%zu KiB of garbage, %d lines of "
      "10 MB); slowest %.1f ms\n",
      pings, garbage_bytes.load() / 1024, huge_lines.load(), worst_ms);
  EXPECT_LT(worst, 1s);
  EXPECT_GT(garbage_bytes.load(), 0u);
  EXPECT_GT(huge_lines.load(), 0);
  EXPECT_TRUE(logged("over 64 KiB")) << "the 10 MB line was not refused";
}

TEST_F(ServerTest, SilentClientIsDroppedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  auto c = client();
  json timeout = read_json(c);
  EXPECT_EQ(timeout["error"]["code"], "timeout");
  EXPECT_EQ(timeout["error"]["message"], "no request within 200ms; closing the connection");
  auto after = c.read_line(10s);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().message(), "supd at " + path_ + " closed the connection");
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
}

TEST_F(ServerTest, UnfinishedLineTimesOut) {
  ServerOptions options;
  options.line_timeout = 300ms;
  options.idle_timeout = 60s;
  start(options);
  auto c = client();
  ASSERT_TRUE(c.send_line("{\"v\":1,", 10s).ok());          // send_line adds '\n'...
  EXPECT_EQ(read_json(c)["error"]["code"], "bad_request");  // ...so that was a whole line.
  // A raw stream can leave a line open.
  asio::io_context io;
  auto raw = os::connect(io, path_);
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->write_all("{\"v\":1,", 7).ok());
  std::string got;
  char buf[512];
  for (;;) {
    auto n = (*raw)->read_some(buf, sizeof buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    got.append(buf, *n);
  }
  json answer = json::parse(got);
  EXPECT_EQ(answer["error"]["code"], "timeout");
  EXPECT_EQ(answer["error"]["message"],
            "request line not completed within 300ms; closing the connection");
}

TEST_F(ServerTest, LineTimeoutCountsFromTheUnfinishedLinesFirstByte) {
  ServerOptions options;
  options.line_timeout = 1500ms;
  options.idle_timeout = 60s;
  start(options);
  asio::io_context io;
  auto raw = os::connect(io, path_);
  ASSERT_TRUE(raw.ok());
  // A steady sender whose every write ends inside a line, for longer than the line timeout:
  // each line is finished long before its own deadline.
  const std::string ping = R"({"v":1,"cmd":"ping"})";
  const std::string half = ping.substr(0, 10);
  const std::string rest = ping.substr(10) + "\n";
  ASSERT_TRUE((*raw)->write_all(half.data(), half.size()).ok());
  constexpr int kRounds = 40;
  for (int i = 0; i < kRounds; ++i) {
    std::this_thread::sleep_for(50ms);  // the slow sender being played, not a wait
    const std::string chunk = rest + half;
    ASSERT_TRUE((*raw)->write_all(chunk.data(), chunk.size()).ok());
  }
  ASSERT_TRUE((*raw)->write_all(rest.data(), rest.size()).ok());
  std::string got;
  char buf[4096];
  while (std::count(got.begin(), got.end(), '\n') < kRounds + 1) {
    auto n = (*raw)->read_some(buf, sizeof buf);
    ASSERT_TRUE(n.ok() && *n > 0) << got;
    got.append(buf, *n);
  }
  EXPECT_EQ(got.find("timeout"), std::string::npos) << got;
}

TEST_F(ServerTest, OverlongLineIsRefusedAndTheConnectionClosed) {
  start();
  auto c = client();
  ASSERT_TRUE(c.send_line(std::string(kMaxRequestLine + 10, 'a'), 10s).ok());
  json answer = read_json(c);
  EXPECT_EQ(answer["error"]["code"], "too_large");
  EXPECT_EQ(answer["error"]["message"], "request line longer than 64 KiB; closing the connection");
  EXPECT_FALSE(c.read_line(10s).ok());
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreRefusedPolitely) {
  ServerOptions options;
  options.max_sessions = 2;
  start(options);
  auto first = client();
  auto second = client();
  ASSERT_TRUE(first.call({{"cmd", "ping"}}, 10s).ok());
  ASSERT_TRUE(second.call({{"cmd", "ping"}}, 10s).ok());

  auto third = client();
  json refusal = read_json(third);
  EXPECT_EQ(refusal["ok"], false);
  EXPECT_EQ(refusal["error"]["code"], "busy");
  EXPECT_EQ(refusal["error"]["message"], "too many control connections (2); try again later");
  EXPECT_FALSE(third.read_line(10s).ok());
  EXPECT_TRUE(logged("already 2 connections"));

  first.close();
  ASSERT_TRUE(eventually([&] { return sessions() == 1; }));
  auto fourth = client();
  auto ping = fourth.call({{"cmd", "ping"}}, 10s);
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ((*ping)["ok"], true);
}

TEST_F(ServerTest, UnauthorizedPeerIsToldWhatToDo) {
  ServerOptions options;
  options.group = "supd";
  std::atomic<std::int64_t> seen_pid{-1};
  options.authorize = [&](const os::PeerCredentials& peer) {
    seen_pid = peer.pid;
    return false;
  };
  start(options);
  auto c = client();
  json refusal = read_json(c);
  EXPECT_EQ(refusal["error"]["code"], "permission_denied");
  EXPECT_EQ(refusal["error"]["message"], "permission denied: run as root or join group supd");
  EXPECT_FALSE(c.read_line(10s).ok());
  EXPECT_EQ(seen_pid.load(), os::own_credentials().pid);
  EXPECT_EQ(sessions(), 0u);
}

TEST_F(ServerTest, AnswerMayComeLaterAndLaterRequestsWait) {
  std::optional<Responder> pending;  // loop thread only
  handler_.on_request = [&](const Request& request, const Responder& responder) {
    if (request.command == Command::Start) {
      pending = responder;
      return;
    }
    responder.respond_ok({{"cmd", command_name(request.command)}});
  };
  start();
  auto c = client();
  ASSERT_TRUE(c.send_line(R"({"v":1,"id":1,"cmd":"start","names":["web"]})", 10s).ok());
  ASSERT_TRUE(c.send_line(R"({"v":1,"id":2,"cmd":"ping"})", 10s).ok());
  ASSERT_TRUE(c.send_line(R"({"v":1,"id":3,"cmd":"status"})", 10s).ok());
  ASSERT_TRUE(eventually([&] { return on_loop([&] { return pending.has_value(); }); }));
  // No idle timeout while a request is in flight, however long it takes.
  on_loop([&] { pending->respond_ok({{"started", json::array({"web"})}}); });
  json first = read_json(c);
  EXPECT_EQ(first["id"], 1);
  EXPECT_EQ(first["result"]["started"][0], "web");
  EXPECT_EQ(read_json(c)["id"], 2);
  EXPECT_EQ(read_json(c)["id"], 3);
  stop();
}

TEST_F(ServerTest, StreamEndsWhenTheClientLeaves) {
  std::optional<Responder> subscriber;  // loop thread only
  std::atomic<bool> closed{false};
  int sent = 0;
  asio::steady_timer tick(io_);
  std::function<void()> pump = [&] {
    tick.expires_after(5ms);
    tick.async_wait([&](std::error_code ec) {
      if (ec || !subscriber) return;
      if (subscriber->send_event({{"n", sent++}})) pump();
    });
  };
  handler_.on_request = [&](const Request& request, const Responder& responder) {
    ASSERT_EQ(request.command, Command::Events);
    subscriber = responder;
    responder.on_close([&] { closed = true; });
    pump();
  };
  start();
  auto c = client();
  std::vector<json> events;
  auto end = c.stream({{"cmd", "events"}, {"id", 5}}, [&](const json& event) {
    events.push_back(event);
    return events.size() < 3;
  });
  ASSERT_TRUE(end.ok()) << end.error().message();
  EXPECT_TRUE(end->is_null());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["n"], 0);
  EXPECT_EQ(events[2]["n"], 2);
  EXPECT_TRUE(eventually([&] { return closed.load(); }));
  EXPECT_FALSE(on_loop([&] { return subscriber->is_open(); }));
  stop();
}

TEST_F(ServerTest, StreamMayEndWithAFinalAnswer) {
  handler_.on_request = [](const Request&, const Responder& responder) {
    responder.send_event({{"line", "one"}});
    responder.send_event({{"line", "two"}});
    responder.respond_ok({{"lines", 2}});
  };
  start();
  auto c = client();
  int events = 0;
  auto end = c.stream({{"cmd", "logs"}, {"names", {"web"}}}, [&](const json&) {
    ++events;
    return true;
  });
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(events, 2);
  EXPECT_EQ((*end)["result"]["lines"], 2);
}

TEST_F(ServerTest, AClientThatStopsReadingIsDropped) {
  ServerOptions options;
  options.max_queued_bytes = std::size_t{64} * 1024;
  std::atomic<bool> closed{false};
  std::atomic<int> sent{0};
  const json big = {{"data", std::string(4096, 'z')}};
  std::function<void(Responder)> produce = [&](const Responder& responder) {
    if (!responder.send_event(big)) return;
    ++sent;
    asio::post(io_, [&, responder] { produce(responder); });
  };
  handler_.on_request = [&](const Request&, const Responder& responder) {
    responder.on_close([&] { closed = true; });
    produce(responder);
  };
  start(options);
  auto c = client();
  ASSERT_TRUE(c.send_line(R"({"v":1,"cmd":"events"})", 10s).ok());
  // ... and never read.
  EXPECT_TRUE(eventually([&] { return closed.load(); })) << sent.load() << " sent; " << [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string all;
    for (auto& l : logs_) all += l + "\n";
    return all;
  }();
  EXPECT_TRUE(logged("it stopped reading (more than 64 KiB queued)"));
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
  // What was produced is bounded by the socket buffers plus the queue cap.
  EXPECT_LT(sent.load(), 4096);
  stop();
}

#ifndef _WIN32
// A client like `socat` or `nc -N`: sends its requests, then shuts down its sending side.
class HalfClosingClient {
 public:
  HalfClosingClient(const std::string& path, const std::string& text) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    ok_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
          ::shutdown(fd_, SHUT_WR) == 0;
  }
  ~HalfClosingClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  // Everything up to end of file.
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

TEST_F(ServerTest, HalfClosedClientStillGetsItsAnswers) {
  std::optional<Responder> pending;  // loop thread only
  handler_.on_request = [&](const Request& request, const Responder& responder) {
    if (request.command == Command::Start) pending = responder;
  };
  start();
  // The last request has no trailing newline.
  HalfClosingClient c(path_, R"({"v":1,"id":1,"cmd":"start","names":["web"]})"
                             "\n"
                             R"({"v":1,"id":2,"cmd":"ping"})");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(eventually([&] { return on_loop([&] { return pending.has_value(); }); }));
  on_loop([&] { pending->respond_ok(); });
  EXPECT_EQ(c.read_all(),
            "{\"v\":1,\"id\":1,\"ok\":true,\"result\":{}}\n"
            "{\"v\":1,\"id\":2,\"ok\":true,\"result\":{\"pong\":true}}\n");
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
  stop();
}

TEST_F(ServerTest, HalfClosedClientEndsItsStream) {
  std::atomic<bool> closed{false};
  handler_.on_request = [&](const Request&, const Responder& responder) {
    responder.send_event({{"n", 1}});
    responder.on_close([&] { closed = true; });
  };
  start();
  HalfClosingClient c(path_, R"({"v":1,"cmd":"events"})"
                             "\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(eventually([&] { return closed.load(); }));
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
}
#endif

TEST_F(ServerTest, ClosingTheServerEndsOpenRequestsAndRemovesTheSocket) {
  std::atomic<bool> closed{false};
  handler_.on_request = [&](const Request&, const Responder& responder) {
    responder.on_close([&] { closed = true; });  // never answered
  };
  start();
  auto c = client();
  ASSERT_TRUE(c.send_line(R"({"v":1,"cmd":"wait","names":["x"],"state":"running"})", 10s).ok());
  ASSERT_TRUE(eventually([&] { return sessions() == 1; }));
  stop();
  EXPECT_TRUE(closed.load());
  EXPECT_FALSE(c.read_line(10s).ok());
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(ServerTest, HandlerExceptionBecomesAFailedAnswer) {
  handler_.on_request = [](const Request&, const Responder&) { throw std::runtime_error("boom"); };
  start();
  auto c = client();
  auto answer = c.call({{"cmd", "reload"}}, 10s);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ((*answer)["error"]["code"], "failed");
  EXPECT_EQ((*answer)["error"]["message"], "internal error: boom");
  EXPECT_TRUE(logged("handling \"reload\" failed: boom"));
  EXPECT_TRUE(c.call({{"cmd", "ping"}}, 10s).ok());
}

TEST_F(ServerTest, ClientGivesUpOnASilentDaemon) {
  handler_.on_request = [](const Request&, const Responder&) {};  // never answers
  start();
  auto c = client();
  auto answer = c.call({{"cmd", "version"}}, 200ms);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().message(),
            "no answer from supd at " + path_ + " within 200ms (is it hung?)");
  EXPECT_FALSE(c.call({{"cmd", "ping"}}, 10s).ok());  // that connection is spent
  EXPECT_TRUE(client().call({{"cmd", "ping"}}, 10s).ok());
}

TEST_F(ServerTest, ClientConnectErrorsAreClear) {
  auto c = ControlClient::connect(path_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), "no supd listening at " + path_ + " (is supd running?)");
}

TEST_F(ServerTest, ClientSeesTheDaemonsCredentials) {
  start();
  auto c = client();
  EXPECT_EQ(c.peer().pid, os::own_credentials().pid);
  EXPECT_EQ(c.path(), path_);
}

}  // namespace
}  // namespace supd::control
