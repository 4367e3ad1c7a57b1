#include "ctl/answer.h"

#include "ctl/exit_codes.h"

namespace supd::ctl {

os::Result<Answer> read_answer(const nlohmann::json& raw) {
  auto garbled = [] {
    return os::Error{std::error_code(), "supd sent an answer supctl cannot read"};
  };
  if (!raw.is_object()) return garbled();
  auto ok = raw.find("ok");
  if (ok == raw.end() || !ok->is_boolean()) return garbled();
  Answer answer;
  answer.ok = ok->get<bool>();
  if (answer.ok) {
    if (auto result = raw.find("result"); result != raw.end()) answer.result = *result;
    return answer;
  }
  auto error = raw.find("error");
  if (error == raw.end() || !error->is_object()) return garbled();
  if (auto code = error->find("code"); code != error->end() && code->is_string()) {
    answer.error.code = control::parse_error_code(code->get<std::string>());
  }
  if (auto message = error->find("message"); message != error->end() && message->is_string()) {
    answer.error.message = message->get<std::string>();
  }
  if (auto mean = error->find("did_you_mean"); mean != error->end() && mean->is_string()) {
    answer.error.did_you_mean = mean->get<std::string>();
  }
  if (auto details = error->find("details"); details != error->end() && details->is_array()) {
    for (const nlohmann::json& d : *details) {
      if (d.is_string()) answer.error.details.push_back(d.get<std::string>());
    }
  }
  return answer;
}

std::string describe(const control::ControlError& error) {
  std::string text = error.message.empty() ? control::error_code_name(error.code) : error.message;
  if (error.did_you_mean && text.find("did you mean") == std::string::npos) {
    text += " (did you mean " + *error.did_you_mean + "?)";
  }
  return text;
}

int exit_code_for(const control::ControlError& error) {
  switch (error.code) {
    case control::ErrorCode::NoSuchService:
      return kExitNoSuchService;
    case control::ErrorCode::ConfigError:
    case control::ErrorCode::BadRequest:
    case control::ErrorCode::UnknownCommand:
      return kExitUsage;
    case control::ErrorCode::UnsupportedVersion:
    case control::ErrorCode::TooLarge:
    case control::ErrorCode::Timeout:
    case control::ErrorCode::PermissionDenied:
    case control::ErrorCode::Failed:
    case control::ErrorCode::Busy:
      return kExitError;
  }
  return kExitError;
}

}  // namespace supd::ctl
