// The seven states a service can be in, as users see them (SPEC.md "Service states").
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace supd::supervisor {

enum class State { Stopped, Starting, Running, Stopping, Backoff, Exited, Fatal };

inline constexpr std::array<State, 7> kAllStates = {
    State::Stopped, State::Starting, State::Running, State::Stopping,
    State::Backoff, State::Exited,   State::Fatal};

// State::Backoff -> "backoff".
const char* to_string(State s);
// "backoff" -> State::Backoff (exact, lower case); nullopt for anything else.
std::optional<State> parse_state(std::string_view text);

// No process and nothing planned: stopped, exited or fatal. Only a request moves a service
// out of these.
bool is_at_rest(State s);

}  // namespace supd::supervisor
