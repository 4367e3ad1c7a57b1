// How console control events become ControlSignals (the SignalWatcher's handler), exposed
// so tests can deliver an event without a console that can send one.
#pragma once

#include <windows.h>

#include <optional>

#include "os/signals.h"

namespace supd::os::win {

// CTRL_C -> Interrupt; CTRL_BREAK, CTRL_CLOSE, CTRL_SHUTDOWN -> Terminate; others nullopt.
std::optional<ControlSignal> control_signal_for(DWORD event);

// What the console handler does: posts the event's ControlSignal to the live SignalWatcher.
// Returns whether it was handled (false: no watcher, or an event supd ignores).
bool deliver_console_event(DWORD event);

}  // namespace supd::os::win
