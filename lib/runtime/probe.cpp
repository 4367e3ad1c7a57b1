#include "runtime/probe.h"

#include <memory>
#include <string>
#include <utility>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include "os/process.h"

namespace supd::runtime {
namespace {

// Shared by every kind: the timeout timer, the one-shot completion and cancellation.
class ProbeBase : public ProbeRun, public std::enable_shared_from_this<ProbeBase> {
 public:
  ProbeBase(asio::io_context& io, ProbeDone done) : io_(io), timer_(io), done_(std::move(done)) {}

  void cancel() override {
    if (finished_) return;
    finished_ = true;
    done_ = nullptr;
    timer_.cancel();
    abort();
  }

 protected:
  void arm_timeout(std::chrono::milliseconds timeout, std::string what) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), what = std::move(what)](std::error_code ec) {
      if (ec) return;
      self->finish(false, what + ": no answer within the timeout");
    });
  }

  void finish(bool ok, std::string detail) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    abort();
    ProbeDone done = std::move(done_);
    if (done) done(ProbeOutcome{ok, std::move(detail)});
  }

  // Stops whatever I/O is in flight.
  virtual void abort() = 0;

  asio::io_context& io_;
  asio::steady_timer timer_;
  ProbeDone done_;
  bool finished_ = false;
};

// tcp: a connection succeeds. http: GET answers 2xx or 3xx.
class NetProbe : public ProbeBase {
 public:
  NetProbe(asio::io_context& io, ProbeDone done, std::string host, std::uint16_t port,
           std::string http_path)
      : ProbeBase(io, std::move(done)),
        resolver_(io),
        socket_(io),
        host_(std::move(host)),
        port_(port),
        http_path_(std::move(http_path)) {}

  void start(std::chrono::milliseconds timeout) {
    where_ = host_ + ":" + std::to_string(port_);
    arm_timeout(timeout, (http_path_.empty() ? "connect " : "GET ") + where_);
    auto self = std::static_pointer_cast<NetProbe>(shared_from_this());
    resolver_.async_resolve(
        host_, std::to_string(port_),
        [self](std::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
          if (self->finished_) return;
          if (ec) return self->finish(false, "resolve " + self->host_ + ": " + ec.message());
          asio::async_connect(self->socket_, results,
                              [self](std::error_code cec, const asio::ip::tcp::endpoint&) {
                                self->connected(cec);
                              });
        });
  }

 private:
  void connected(std::error_code ec) {
    if (finished_) return;
    if (ec) return finish(false, "connect " + where_ + ": " + ec.message());
    if (http_path_.empty()) return finish(true, "");
    request_ = "GET " + http_path_ + " HTTP/1.0\r\nHost: " + host_ +
               "\r\nUser-Agent: supd\r\nConnection: close\r\n\r\n";
    auto self = std::static_pointer_cast<NetProbe>(shared_from_this());
    asio::async_write(socket_, asio::buffer(request_), [self](std::error_code wec, std::size_t) {
      if (self->finished_) return;
      if (wec) return self->finish(false, "GET " + self->where_ + ": " + wec.message());
      asio::async_read_until(self->socket_, self->response_, "\r\n",
                             [self](std::error_code rec, std::size_t) { self->answered(rec); });
    });
  }

  void answered(std::error_code ec) {
    if (finished_) return;
    if (ec) return finish(false, "GET " + where_ + ": " + ec.message());
    std::istream in(&response_);
    std::string version;
    int code = 0;
    in >> version >> code;
    if (code >= 200 && code < 400) return finish(true, "");
    finish(false, "GET " + where_ + http_path_ + " answered " + std::to_string(code));
  }

  void abort() override {
    std::error_code ignored;
    resolver_.cancel();
    socket_.close(ignored);
  }

  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  std::string host_;
  std::uint16_t port_;
  std::string http_path_;  // empty: plain tcp probe
  std::string where_;
  std::string request_;
  asio::streambuf response_;
};

// exec: the command exits 0.
class ExecProbe : public ProbeBase {
 public:
  ExecProbe(asio::io_context& io, ProbeDone done, std::vector<std::string> argv)
      : ProbeBase(io, std::move(done)), argv_(std::move(argv)) {}

  void start(std::chrono::milliseconds timeout) {
    const std::string what = "exec " + (argv_.empty() ? std::string() : argv_.front());
    arm_timeout(timeout, what);
    os::ProcessSpec spec;
    spec.argv = argv_;
    spec.stdout_mode = os::StdioMode::Null;
    spec.stderr_mode = os::StdioMode::Null;
    auto child = os::spawn(io_, spec);
    if (!child) return finish(false, child.error().message());
    child_ = std::move(child.value());
    auto self = std::static_pointer_cast<ExecProbe>(shared_from_this());
    child_->async_wait([self, what](const os::ExitStatus& st) {
      if (self->finished_) return;
      if (!st.signaled && st.code == 0) return self->finish(true, "");
      self->finish(false, what + ": " + st.describe());
    });
  }

 private:
  void abort() override {
    // A probe that outlived its timeout is killed with everything it started; the reaper
    // still collects it, so destroying the Child leaves no zombie.
    if (child_) (void)child_->signal_group(os::Signal::Kill);
  }

  std::vector<std::string> argv_;
  std::unique_ptr<os::Child> child_;
};

}  // namespace

std::shared_ptr<ProbeRun> start_probe(asio::io_context& io, const config::Probe& probe,
                                      std::chrono::milliseconds timeout, ProbeDone done) {
  switch (probe.kind) {
    case config::ProbeKind::Tcp: {
      auto run = std::make_shared<NetProbe>(io, std::move(done), probe.tcp.host, probe.tcp.port,
                                            std::string());
      run->start(timeout);
      return run;
    }
    case config::ProbeKind::Http: {
      auto run = std::make_shared<NetProbe>(io, std::move(done), probe.http.host, probe.http.port,
                                            probe.http.path);
      run->start(timeout);
      return run;
    }
    case config::ProbeKind::Exec: {
      auto run = std::make_shared<ExecProbe>(io, std::move(done), probe.exec);
      run->start(timeout);
      return run;
    }
    case config::ProbeKind::None:
    case config::ProbeKind::Notify:
      break;
  }
  return nullptr;
}

}  // namespace supd::runtime
