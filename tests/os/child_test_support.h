// Shared by the process tests: spawning the helper, running the loop until a condition holds
// (never longer than a generous deadline), collecting output, temporary directories.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "os/pipe.h"
#include "os/process.h"

namespace supd::os::testing {

using namespace std::chrono_literals;

// Long enough for a loaded 2-core machine under ASan; waits end as soon as they can.
constexpr std::chrono::milliseconds kDeadline = 10s;

// A spec that runs the helper with these behaviours.
inline ProcessSpec helper(std::vector<std::string> args) {
  ProcessSpec spec;
  spec.argv.push_back(SUPD_TEST_HELPER);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return spec;
}

// Runs the loop until `done()` holds or `limit` passes. Returns whether `done()` held.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    if (io.run_one_for(5ms) == 0) std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Reads a pipe to its end on the loop.
class Collector : public std::enable_shared_from_this<Collector> {
 public:
  static std::shared_ptr<Collector> start(std::unique_ptr<AsyncPipe> pipe) {
    auto c = std::shared_ptr<Collector>(new Collector(std::move(pipe)));
    if (c->pipe_) c->read();
    return c;
  }
  const std::string& text() const { return text_; }
  bool done() const { return done_; }
  std::error_code error() const { return error_; }

 private:
  explicit Collector(std::unique_ptr<AsyncPipe> pipe) : pipe_(std::move(pipe)) {}
  void read() {
    pipe_->async_read(buffer_.data(), buffer_.size(),
                      [self = shared_from_this()](std::error_code ec, std::size_t n) {
                        self->text_.append(self->buffer_.data(), n);
                        if (ec) {
                          self->done_ = true;
                          self->error_ = ec;
                          return;
                        }
                        self->read();
                      });
  }

  std::unique_ptr<AsyncPipe> pipe_;
  std::array<char, 65536> buffer_{};
  std::string text_;
  bool done_ = false;
  std::error_code error_;
};

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "supd-os-test-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = std::filesystem::canonical(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Whether `pid` is a zombie or gone (Linux: /proc; elsewhere: gone only).
inline bool dead(pid_t pid) {
#ifdef __linux__
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = content.rfind(')');
  return paren == std::string::npos || paren + 2 >= content.size() || content[paren + 2] == 'Z';
#else
  return !process_exists(pid);
#endif
}

#ifdef __linux__
// The parent pid of `pid`, from /proc (0 if gone).
inline pid_t parent_of(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string state;
  pid_t ppid = 0;
  fields >> state >> ppid;
  return ppid;
}
#endif

// Base for tests that run children on one io_context. Every child started here is killed
// (with its group) and waited for at the end of the test.
class ChildTest : public ::testing::Test {
 protected:
  struct Exit {
    std::optional<ExitStatus> status;
    int reports = 0;
  };

  // Spawns and starts waiting for the exit; fails the test (returning null) if spawn fails.
  Child* start(const ProcessSpec& spec) {
    auto spawned = spawn(io_, spec);
    if (!spawned) {
      ADD_FAILURE() << "spawn failed: " << spawned.error().message();
      return nullptr;
    }
    Child* child = spawned->get();
    auto exit = std::make_shared<Exit>();
    exits_[child] = exit;
    child->async_wait([exit](const ExitStatus& s) {
      exit->status = s;
      ++exit->reports;
    });
    children_.push_back(std::move(*spawned));
    return child;
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = kDeadline) {
    return testing::run_until(io_, done, limit);
  }

  const Exit& exit_of(Child* child) { return *exits_.at(child); }

  std::optional<ExitStatus> wait_exit(Child* child) {
    const auto exit = exits_.at(child);
    run_until([&] { return exit->status.has_value(); });
    return exit->status;
  }

  // Runs a child to its end: its exit and everything it wrote.
  struct Finished {
    std::optional<ExitStatus> status;
    std::string out;
    std::string err;
  };
  Finished run(const ProcessSpec& spec) {
    Finished f;
    Child* child = start(spec);
    if (child == nullptr) return f;
    auto out = Collector::start(child->take_stdout());
    auto err = Collector::start(child->take_stderr());
    const auto exit = exits_.at(child);
    const bool ended = run_until([&] { return exit->status && out->done() && err->done(); });
    EXPECT_TRUE(ended) << "the child did not finish in time";
    f.status = exit->status;
    f.out = out->text();
    f.err = err->text();
    return f;
  }

  // Waits for "ready" (or `marker`) on a collected stdout.
  bool wait_for_text(const Collector& c, const std::string& marker = "ready\n") {
    return run_until([&] { return c.text().find(marker) != std::string::npos || c.done(); }) &&
           c.text().find(marker) != std::string::npos;
  }

  std::optional<pid_t> wait_for_pid_file(const std::string& path) {
    std::optional<pid_t> pid;
    run_until([&] {
      const std::string text = read_file(path);
      if (!text.empty() && text.back() == '\n') pid = static_cast<pid_t>(std::stol(text));
      return pid.has_value();
    });
    return pid;
  }

  // Kills stray processes a test made outside any group it controls.
  void kill_at_end(pid_t pid) { strays_.push_back(pid); }

  void TearDown() override {
    for (pid_t pid : strays_) ::kill(pid, SIGKILL);
    for (auto& child : children_) (void)child->signal_group(Signal::Kill);
    run_until([&] {
      for (auto& [child, exit] : exits_) {
        if (!exit->status) return false;
      }
      return true;
    });
  }

  asio::io_context io_;
  std::vector<std::unique_ptr<Child>> children_;
  std::map<Child*, std::shared_ptr<Exit>> exits_;
  std::vector<pid_t> strays_;
};

}  // namespace supd::os::testing
