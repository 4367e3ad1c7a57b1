// Shared pieces of supctl's tests: a scratch directory, running supctl's logic in-process,
// and a fake supd answering on a real control socket with whatever a test scripts.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <gtest/gtest.h>

#include "control/server.h"
#include "ctl/cli.h"
#include "os/named_semaphore.h"

namespace supd::ctl::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "supctl-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  bool ok() const { return !path_.empty(); }

 private:
  std::filesystem::path path_;
};

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

// supctl ARGS..., in this process.
inline Outcome supctl(std::vector<std::string> args) {
  args.insert(args.begin(), "supctl");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  Outcome outcome;
  outcome.code = run(static_cast<int>(argv.size()), argv.data(), out, err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

// A control socket served on a thread of its own; `on_request` answers each request (on that
// thread) through its Responder, as the daemon would.
class FakeDaemon : public control::RequestHandler {
 public:
  using Script = std::function<void(const control::Request&, const control::Responder&)>;

  FakeDaemon(const std::string& socket, Script script) : script_(std::move(script)) {
    auto server =
        control::ControlServer::listen(io_, os::ListenOptions{socket, std::nullopt}, *this);
    if (!server) {
      error_ = server.error().message();
      return;
    }
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeDaemon() override {
    asio::post(io_, [this] {
      server_.reset();
      work_.reset();
    });
    if (thread_.joinable()) thread_.join();
  }

  void handle(const control::Request& request, control::Responder responder) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    script_(request, responder);
  }

  const std::string& error() const { return error_; }
  std::vector<control::Request> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<control::ControlServer> server_;
  std::thread thread_;
  Script script_;
  std::string error_;
  mutable std::mutex mutex_;
  std::vector<control::Request> requests_;
};

}  // namespace supd::ctl::testing
