// How console control events become ControlSignals (the SignalWatcher's handler), exposed
// so tests can deliver an event without a console that can send one; and how the service
// control handler (windows-service/) reaches the same SignalWatcher.
#pragma once

#include <windows.h>

#include <functional>
#include <optional>

#include "os/signals.h"

namespace supd::os::win {

// CTRL_C -> Interrupt; CTRL_BREAK, CTRL_CLOSE, CTRL_SHUTDOWN -> Terminate; others nullopt.
std::optional<ControlSignal> control_signal_for(DWORD event);

// What the console handler does: posts the event's ControlSignal to the live SignalWatcher.
// Returns whether it was handled (false: no watcher, or an event supd ignores).
bool deliver_console_event(DWORD event);

// Posts `signal` to the live SignalWatcher, from any thread, as a console event would.
// Returns false when there is none (supd not started yet, or done).
bool deliver_control_signal(ControlSignal signal);

// `listener(true)` is called once a SignalWatcher is in place (supd is up: its control pipe
// listens and it takes control signals), `listener(false)` when it goes (supd has shut
// down). Called on the thread creating or destroying the watcher, outside any lock. One
// listener at a time; an empty function removes it.
void set_signal_watcher_listener(std::function<void(bool up)> listener);

}  // namespace supd::os::win
