// The daemon's answers as supctl reads them, what they mean for the exit code, and how an
// error is told to the user.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "control/protocol.h"
#include "os/result.h"

namespace supd::ctl {

struct Answer {
  bool ok = false;
  nlohmann::json result;        // when ok
  control::ControlError error;  // when not
};

// A final answer object ({"ok":true,"result":..} or {"ok":false,"error":{..}}); an error when
// it is neither.
os::Result<Answer> read_answer(const nlohmann::json& raw);

// "no such service: webx (did you mean web?)", or the daemon's message.
std::string describe(const control::ControlError& error);

// no_such_service: 4; config_error, bad_request, unknown_command: 2; everything else: 1.
int exit_code_for(const control::ControlError& error);

}  // namespace supd::ctl
