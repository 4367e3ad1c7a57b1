// SignalWatcher delivers the daemon's control signals on the loop thread, every one of
// them, and gives the signals back when destroyed.
#if !defined(_WIN32)
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "os/signals.h"

namespace supd::os {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `done()` holds or 10 s pass.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_one_for(20ms);
  }
  return true;
}

TEST(SignalWatcherTest, MapsEachSignalAndKeepsListening) {
  asio::io_context io;
  std::vector<ControlSignal> got;
  SignalWatcher watcher(io, [&](ControlSignal s) { got.push_back(s); });

  const std::vector<std::pair<int, ControlSignal>> cases = {
      {SIGTERM, ControlSignal::Terminate}, {SIGINT, ControlSignal::Interrupt},
      {SIGHUP, ControlSignal::Reload},     {SIGUSR1, ControlSignal::ReopenLogs},
      {SIGTERM, ControlSignal::Terminate},  // the same signal again: the wait was re-armed
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_EQ(raise(cases[i].first), 0);
    ASSERT_TRUE(run_until(io, [&] { return got.size() == i + 1; })) << "signal " << i;
    EXPECT_EQ(got[i], cases[i].second) << "signal " << i;
  }
}

TEST(SignalWatcherTest, DeliversSignalsSentBeforeTheLoopRuns) {
  asio::io_context io;
  std::vector<ControlSignal> got;
  SignalWatcher watcher(io, [&](ControlSignal s) { got.push_back(s); });
  ASSERT_EQ(raise(SIGHUP), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);

  ASSERT_TRUE(run_until(io, [&] { return got.size() == 2; }));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<ControlSignal>{ControlSignal::Reload, ControlSignal::ReopenLogs}));
}

TEST(SignalWatcherTest, CallsBackOnTheLoopThreadWhicheverThreadGetsTheSignal) {
  asio::io_context io;
  std::thread::id called_on;
  bool called = false;
  SignalWatcher watcher(io, [&](ControlSignal) {
    called_on = std::this_thread::get_id();
    called = true;
  });
  // The loop's thread blocks SIGTERM, so the handler runs on the sender's thread.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &before), 0);
  std::thread sender([&term] {
    pthread_sigmask(SIG_UNBLOCK, &term, nullptr);
    raise(SIGTERM);
  });
  sender.join();
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &before, nullptr), 0);

  ASSERT_TRUE(run_until(io, [&] { return called; }));
  EXPECT_EQ(called_on, std::this_thread::get_id());
}

TEST(SignalWatcherTest, CallbackMayDestroyTheWatcherAndDefaultsComeBack) {
  asio::io_context io;
  int calls = 0;
  std::unique_ptr<SignalWatcher> watcher;
  watcher = std::make_unique<SignalWatcher>(io, [&](ControlSignal) {
    ++calls;
    watcher.reset();
  });
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_TRUE(run_until(io, [&] { return watcher == nullptr; }));
  io.poll();  // runs the cancelled wait's completion, which must not touch the watcher
  EXPECT_EQ(calls, 1);

  struct sigaction current {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &current), 0);
  EXPECT_EQ(current.sa_handler, SIG_DFL);
}

TEST(IgnoreSigpipeTest, WriteToClosedPipeFailsWithEpipeInsteadOfKilling) {
  ignore_sigpipe();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  errno = 0;
  EXPECT_EQ(write(fds[1], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  close(fds[1]);
}

}  // namespace
}  // namespace supd::os
#endif  // !_WIN32
