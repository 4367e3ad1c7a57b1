// The daemon's own signals on POSIX: an asio::signal_set turns them into calls on the loop
// thread, so handlers are ordinary code rather than async-signal-safe fragments.
#include "os/signals.h"

#include <signal.h>

#include <functional>
#include <system_error>
#include <utility>

#include <asio/signal_set.hpp>

namespace supd::os {
namespace {

ControlSignal to_control_signal(int signo) {
  switch (signo) {
    case SIGINT:
      return ControlSignal::Interrupt;
    case SIGHUP:
      return ControlSignal::Reload;
    case SIGUSR1:
      return ControlSignal::ReopenLogs;
    default:
      return ControlSignal::Terminate;
  }
}

}  // namespace

struct SignalWatcher::Impl {
  Impl(asio::io_context& io, std::function<void(ControlSignal)> callback)
      : signals(io, SIGTERM, SIGINT, SIGHUP), on_signal(std::move(callback)) {
    signals.add(SIGUSR1);
  }

  void arm() {
    signals.async_wait([this](const std::error_code& ec, int signo) {
      // Cancelled: the watcher is gone (or going), so `this` must not be touched.
      if (ec) return;
      // Re-arm first and call a copy: the callback may destroy the watcher, which then
      // cancels the new wait and frees `on_signal` while it would still be running.
      std::function<void(ControlSignal)> callback = on_signal;
      arm();
      callback(to_control_signal(signo));
    });
  }

  asio::signal_set signals;
  std::function<void(ControlSignal)> on_signal;
};

SignalWatcher::SignalWatcher(asio::io_context& io, std::function<void(ControlSignal)> on_signal)
    : impl_(new Impl(io, std::move(on_signal))) {
  impl_->arm();
}

SignalWatcher::~SignalWatcher() { delete impl_; }

void ignore_sigpipe() {
  struct sigaction action {};
  action.sa_handler = SIG_IGN;
  sigemptyset(&action.sa_mask);
  sigaction(SIGPIPE, &action, nullptr);
  // A service log reaching RLIMIT_FSIZE must be a write error (EFBIG) that the log layer
  // reports, not a signal that kills supd.
  sigaction(SIGXFSZ, &action, nullptr);
}

}  // namespace supd::os
