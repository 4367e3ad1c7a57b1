// Test support for the pure supervisor: a hand-advanced clock and readable printing of
// actions and events in gtest messages.
#pragma once

#include <chrono>
#include <ostream>
#include <type_traits>

#include "supervisor/actions.h"
#include "supervisor/clock.h"
#include "supervisor/events.h"
#include "supervisor/supervisor.h"

namespace supd::supervisor {

// Time moves only when a test says so.
class FakeClock {
 public:
  TimePoint now() const { return now_; }
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  // Far from the epoch, so that "now - window" never goes below zero.
  TimePoint now_ = TimePoint{} + std::chrono::hours(1000);
};

// gtest prints a variant alternative by alternative, each with operator<< when there is
// one: these make every action and event readable in failure messages.
template <class T>
inline constexpr bool kIsAction = std::is_constructible_v<Action, T> && !std::is_same_v<T, Action>;
template <class T>
inline constexpr bool kIsEvent =
    std::is_constructible_v<Event, T> && !std::is_same_v<T, Event> && !kIsAction<T>;

template <class T, std::enable_if_t<kIsAction<T>, int> = 0>
std::ostream& operator<<(std::ostream& os, const T& action) {
  return os << to_string(Action(action));
}
template <class T, std::enable_if_t<kIsEvent<T>, int> = 0>
std::ostream& operator<<(std::ostream& os, const T& event) {
  return os << to_string(Event(event));
}
inline std::ostream& operator<<(std::ostream& os, const ServiceAction& a) {
  return os << a.service << ": " << to_string(a.action);
}

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;
using std::chrono_literals::operator""min;
using std::chrono_literals::operator""h;

inline ExitInfo exit_code(int code) { return ExitInfo{false, code, "", false}; }
inline ExitInfo killed_by(const char* signal, bool core = false) {
  return ExitInfo{true, 0, signal, core};
}

}  // namespace supd::supervisor
