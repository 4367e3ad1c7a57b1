// Shared by the Windows platform tests: the child program, a Wine check, bounded waits,
// and running a child to completion while collecting its output.
#pragma once

#include <windows.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "os/process.h"

namespace supd::os::test {

inline std::string child_program() { return SUPD_TEST_HELPER; }

// EXPECT_TRUE(ok(status)) shows the error's message when it fails.
inline ::testing::AssertionResult ok(const Status& s) {
  if (s) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << s.error().message();
}

// Wine exports wine_get_version from ntdll; Windows does not.
inline bool running_under_wine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it held.
template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline ProcessSpec child_spec(std::vector<std::string> commands) {
  ProcessSpec spec;
  spec.argv.push_back(child_program());
  for (std::string& c : commands) spec.argv.push_back(std::move(c));
  return spec;
}

// Reads a pipe on the loop until end of file, collecting what it reads. Safe to destroy
// with a read pending: the cancelled read's handler then touches nothing.
class PipeCollector {
 public:
  explicit PipeCollector(std::unique_ptr<AsyncPipe> pipe) : pipe_(std::move(pipe)) {
    if (pipe_) {
      read();
    } else {
      done_ = true;
    }
  }
  ~PipeCollector() {
    *alive_ = false;
    if (pipe_) pipe_->close();
  }
  PipeCollector(const PipeCollector&) = delete;
  PipeCollector& operator=(const PipeCollector&) = delete;

  bool done() const { return done_; }
  const std::string& text() const { return text_; }

 private:
  void read() {
    pipe_->async_read(buffer_, sizeof(buffer_),
                      [this, alive = alive_](std::error_code ec, std::size_t n) {
                        if (!*alive) return;
                        text_.append(buffer_, n);
                        if (ec) {
                          done_ = true;
                          return;
                        }
                        read();
                      });
  }

  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<AsyncPipe> pipe_;
  std::string text_;
  char buffer_[4096] = {};
  bool done_ = false;
};

struct Finished {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs `child` on `io` until it exited and both pipes reached end of file.
inline std::optional<Finished> finish(asio::io_context& io, Child& child,
                                      std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto status = std::make_shared<std::optional<ExitStatus>>();
  child.async_wait([status](const ExitStatus& s) { *status = s; });
  PipeCollector out(child.take_stdout());
  PipeCollector err(child.take_stderr());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!(*status && out.done() && err.done()) && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
  }
  if (!(*status && out.done() && err.done())) return std::nullopt;
  return Finished{**status, out.text(), err.text()};
}

inline std::optional<Finished> run(const ProcessSpec& spec) {
  asio::io_context io;
  auto child = spawn(io, spec);
  if (!child) return std::nullopt;
  return finish(io, *child.value());
}

// Lines of `text`, without their end-of-line characters.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      out.push_back(line);
      line.clear();
    } else if (c != '\r') {
      line.push_back(c);
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace supd::os::test
