// SignalWatcher on Windows: console control events. The system calls the handler on a
// thread of its own; the event is posted onto the io_context and delivered there.
// Reload and ReopenLogs have no console event: the service control handler and supctl
// ask for them.
#include "os/signals.h"

#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include <asio/post.hpp>

#include "os/win/console_control.h"

namespace supd::os {
namespace {

struct Shared {
  bool active = true;  // read and written on the loop's thread only
  std::function<void(ControlSignal)> on_signal;
};

// The one watcher the console handler reports to.
std::mutex g_mutex;
std::condition_variable g_watcher_gone;
asio::io_context* g_io = nullptr;  // guarded by g_mutex
std::shared_ptr<Shared> g_shared;  // guarded by g_mutex

std::mutex g_listener_mutex;
std::function<void(bool)> g_listener;  // guarded by g_listener_mutex

void tell_listener(bool up) {
  std::function<void(bool)> listener;
  {
    std::lock_guard lock(g_listener_mutex);
    listener = g_listener;
  }
  if (listener) listener(up);
}

// How long the handler holds a closing console open so that supd can stop its services:
// Windows ends the process soon after CTRL_CLOSE (5 s) whatever the handler does.
constexpr std::chrono::milliseconds kCloseGrace{4500};

BOOL WINAPI on_console_event(DWORD event) {
  return win::deliver_console_event(event) ? TRUE : FALSE;
}

}  // namespace

namespace win {

std::optional<ControlSignal> control_signal_for(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
      return ControlSignal::Interrupt;
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      return ControlSignal::Terminate;
    default:
      // CTRL_LOGOFF_EVENT: some user logged off; a service keeps running.
      return std::nullopt;
  }
}

namespace {

// With g_mutex held.
bool post_locked(ControlSignal signal) {
  if (g_io == nullptr) return false;
  asio::post(*g_io, [shared = g_shared, signal] {
    if (shared->active) shared->on_signal(signal);
  });
  return true;
}

}  // namespace

bool deliver_control_signal(ControlSignal signal) {
  std::lock_guard lock(g_mutex);
  return post_locked(signal);
}

void set_signal_watcher_listener(std::function<void(bool up)> listener) {
  std::lock_guard lock(g_listener_mutex);
  g_listener = std::move(listener);
}

bool deliver_console_event(DWORD event) {
  const std::optional<ControlSignal> signal = control_signal_for(event);
  if (!signal) return false;
  std::unique_lock lock(g_mutex);
  if (!post_locked(*signal)) return false;
  if (event == CTRL_CLOSE_EVENT || event == CTRL_SHUTDOWN_EVENT) {
    // Returning lets Windows end the process: wait (bounded) until supd has shut down.
    g_watcher_gone.wait_for(lock, kCloseGrace, [] { return g_io == nullptr; });
  }
  return true;
}

}  // namespace win

struct SignalWatcher::Impl {
  std::shared_ptr<Shared> shared;
};

SignalWatcher::SignalWatcher(asio::io_context& io, std::function<void(ControlSignal)> on_signal)
    : impl_(new Impl{std::make_shared<Shared>()}) {
  impl_->shared->on_signal = std::move(on_signal);
  {
    std::lock_guard lock(g_mutex);
    g_io = &io;
    g_shared = impl_->shared;
  }
  SetConsoleCtrlHandler(on_console_event, TRUE);
  tell_listener(true);
}

SignalWatcher::~SignalWatcher() {
  SetConsoleCtrlHandler(on_console_event, FALSE);
  impl_->shared->active = false;
  {
    std::lock_guard lock(g_mutex);
    if (g_shared == impl_->shared) {
      g_io = nullptr;
      g_shared.reset();
    }
  }
  g_watcher_gone.notify_all();
  delete impl_;
  tell_listener(false);
}

}  // namespace supd::os

namespace supd::os {

// Windows has no SIGPIPE: a write to a closed pipe fails with ERROR_NO_DATA.
void ignore_sigpipe() {}

}  // namespace supd::os
