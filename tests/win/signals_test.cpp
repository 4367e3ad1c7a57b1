#include "os/signals.h"

#include <windows.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "os/win/console_control.h"

namespace supd::os {
namespace {

std::vector<ControlSignal> run_until(asio::io_context& io, std::vector<ControlSignal>& got,
                                     std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
  }
  return got;
}

TEST(ConsoleControl, MapsEventsToControlSignals) {
  EXPECT_EQ(win::control_signal_for(CTRL_C_EVENT), ControlSignal::Interrupt);
  EXPECT_EQ(win::control_signal_for(CTRL_BREAK_EVENT), ControlSignal::Terminate);
  EXPECT_EQ(win::control_signal_for(CTRL_CLOSE_EVENT), ControlSignal::Terminate);
  EXPECT_EQ(win::control_signal_for(CTRL_SHUTDOWN_EVENT), ControlSignal::Terminate);
  EXPECT_EQ(win::control_signal_for(CTRL_LOGOFF_EVENT), std::nullopt);
}

TEST(SignalWatcher, DeliversConsoleEventsOnTheLoopThread) {
  asio::io_context io;
  std::vector<ControlSignal> got;
  std::vector<DWORD> threads;
  SignalWatcher watcher(io, [&](ControlSignal s) {
    got.push_back(s);
    threads.push_back(GetCurrentThreadId());
  });
  // The system calls the handler on a thread of its own: do the same.
  std::thread sender([] {
    EXPECT_TRUE(win::deliver_console_event(CTRL_C_EVENT));
    EXPECT_TRUE(win::deliver_console_event(CTRL_BREAK_EVENT));
    EXPECT_FALSE(win::deliver_console_event(CTRL_LOGOFF_EVENT));
  });
  sender.join();
  run_until(io, got, 2);
  ASSERT_EQ(got, (std::vector<ControlSignal>{ControlSignal::Interrupt, ControlSignal::Terminate}));
  for (DWORD t : threads) EXPECT_EQ(t, GetCurrentThreadId());
}

TEST(SignalWatcher, NothingIsDeliveredAfterItIsDestroyed) {
  asio::io_context io;
  std::vector<ControlSignal> got;
  {
    SignalWatcher watcher(io, [&](ControlSignal s) { got.push_back(s); });
    EXPECT_TRUE(win::deliver_console_event(CTRL_C_EVENT));  // posted, not yet run
  }
  EXPECT_FALSE(win::deliver_console_event(CTRL_C_EVENT));
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(got.empty());
}

// The service control handler's path: any signal, from another thread, and a listener told
// when supd is up and when it is gone.
TEST(SignalWatcher, TakesControlSignalsAndTellsTheListenerWhenItComesAndGoes) {
  std::vector<bool> seen;
  std::mutex seen_mutex;
  win::set_signal_watcher_listener([&](bool up) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(up);
  });
  EXPECT_FALSE(win::deliver_control_signal(ControlSignal::Reload));
  asio::io_context io;
  std::vector<ControlSignal> got;
  {
    SignalWatcher watcher(io, [&](ControlSignal s) { got.push_back(s); });
    std::thread sender([] {
      EXPECT_TRUE(win::deliver_control_signal(ControlSignal::Reload));
      EXPECT_TRUE(win::deliver_control_signal(ControlSignal::ReopenLogs));
      EXPECT_TRUE(win::deliver_control_signal(ControlSignal::Terminate));
    });
    sender.join();
    run_until(io, got, 3);
  }
  win::set_signal_watcher_listener({});
  EXPECT_EQ(got, (std::vector<ControlSignal>{ControlSignal::Reload, ControlSignal::ReopenLogs,
                                             ControlSignal::Terminate}));
  EXPECT_EQ(seen, (std::vector<bool>{true, false}));
  EXPECT_FALSE(win::deliver_control_signal(ControlSignal::Terminate));
}

TEST(SignalWatcher, ReceivesARealCtrlC) {
  // A console of our own to raise the event on (ctest gives the test none).
  if (GetConsoleCP() == 0) {
    FreeConsole();
    ASSERT_TRUE(AllocConsole()) << GetLastError();
  }
  asio::io_context io;
  std::vector<ControlSignal> got;
  SignalWatcher watcher(io, [&](ControlSignal s) { got.push_back(s); });
  ASSERT_TRUE(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) << GetLastError();
  run_until(io, got, 1);
  EXPECT_EQ(got, std::vector<ControlSignal>{ControlSignal::Interrupt});
}

}  // namespace
}  // namespace supd::os
