// supd telling its own service manager how it is doing (the sd_notify protocol): one
// datagram of "KEY=VALUE" lines to the socket named by $NOTIFY_SOCKET ("/path" or
// "@abstract-name"). Only systemd sets it; elsewhere every call is a cheap no-op.
//
// supd does not pass NOTIFY_SOCKET and WATCHDOG_* on to its services: they belong to
// supd's own unit (a service's `ready: {notify: true}` gets supd's socket instead).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace supd::os {

// Sends `message` ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...", several joined by
// '\n') as one datagram. False when NOTIFY_SOCKET is unset or the send failed.
bool notify_systemd(std::string_view message);

// How often systemd expects WATCHDOG=1: WATCHDOG_USEC, when set and, if WATCHDOG_PID is set
// too, only when it names this process. Send at about half of it. nullopt: no watchdog.
std::optional<std::chrono::microseconds> systemd_watchdog_interval();

}  // namespace supd::os
