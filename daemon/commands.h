// supd's answers to supctl: one method per control verb, each answering through the
// Responder now (status, signal, reload) or later (start/stop/restart with wait, wait,
// events and logs -f stream until the client leaves).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/server.h"

namespace supd::daemon {

class Daemon;

class CommandHandler : public control::RequestHandler {
 public:
  explicit CommandHandler(Daemon& daemon) : daemon_(daemon) {}
  void handle(const control::Request& request, control::Responder responder) override;

  // The `services` array of `status --json` for the given names (all when empty).
  nlohmann::json services_json(const std::vector<std::string>& names) const;
  nlohmann::json daemon_json() const;

 private:
  // Expands ["all"], checks every name. False (and answered with no_such_service) when a
  // name is unknown.
  bool resolve(const control::Request& request, const control::Responder& responder,
               std::vector<std::string>& names) const;

  void status(const control::Request& request, const control::Responder& responder);
  void lifecycle(const control::Request& request, const control::Responder& responder);
  void signal(const control::Request& request, const control::Responder& responder);
  void reload(const control::Request& request, const control::Responder& responder);
  void logs(const control::Request& request, const control::Responder& responder);
  void wait(const control::Request& request, const control::Responder& responder);
  void events(const control::Request& request, const control::Responder& responder);
  void shutdown(const control::Request& request, const control::Responder& responder);

  Daemon& daemon_;
};

}  // namespace supd::daemon
