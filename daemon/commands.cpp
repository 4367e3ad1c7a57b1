#include "daemon/commands.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "daemon/daemon.h"
#include "logs/log_follower.h"
#include "logs/tail.h"
#include "os/process.h"
#include "supervisor/service_state.h"

namespace supd::daemon {
namespace {

using control::ErrorCode;
using supervisor::State;

constexpr std::chrono::milliseconds kDefaultWait{30'000};
constexpr std::chrono::milliseconds kFollowPoll{200};

double unix_seconds(std::chrono::system_clock::time_point t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

nlohmann::json health_json(supervisor::Health h) {
  switch (h) {
    case supervisor::Health::None:
      return nullptr;
    case supervisor::Health::Unknown:
      return "unknown";
    case supervisor::Health::Ok:
      return "ok";
    case supervisor::Health::Failing:
      return "failing";
  }
  return nullptr;
}

// Edit distance, for "did you mean web?".
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& all) {
  std::optional<std::string> best;
  std::size_t best_d = 3;
  for (const std::string& candidate : all) {
    const std::size_t d = distance(name, candidate);
    if (d < best_d) {
      best_d = d;
      best = candidate;
    }
  }
  return best;
}

// What a waiting request wants of one service.
enum class Goal { Running, AtRest, Restarted, InState };

enum class Verdict { Pending, Done, Failed };

// Answers a request once every named service reached its goal, one failed, or time ran out.
class Waiter : public std::enable_shared_from_this<Waiter> {
 public:
  Waiter(Daemon& daemon, CommandHandler& handler, control::Responder responder,
         std::vector<std::string> names, Goal goal, State state, supervisor::TimePoint requested,
         std::string verb)
      : daemon_(daemon),
        handler_(handler),
        responder_(std::move(responder)),
        names_(std::move(names)),
        goal_(goal),
        state_(state),
        requested_(requested),
        verb_(std::move(verb)),
        timer_(daemon.runtime().io()) {}

  void start(std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    listener_ = daemon_.runtime().add_listener([self](const runtime::StateChange& change) {
      if (std::find(self->names_.begin(), self->names_.end(), change.service) !=
          self->names_.end()) {
        self->check();
      }
    });
    responder_.on_close([self] { self->finish(); });
    timer_.expires_after(timeout);
    timer_.async_wait([self, timeout](std::error_code ec) {
      if (ec || self->done_) return;
      std::string pending;
      for (const std::string& n : self->names_) {
        std::string why;
        if (self->verdict(n, why) == Verdict::Pending) {
          const supervisor::Snapshot* s = self->daemon_.runtime().snapshot(n);
          pending += (pending.empty() ? "" : ", ") + n + " is " +
                     (s ? supervisor::to_string(s->state) : "gone");
          if (s && !s->reason.empty()) pending += " (" + s->reason + ")";
        }
      }
      self->responder_.respond_error(ErrorCode::Timeout, self->verb_ + " timed out after " +
                                                             supervisor::format_duration(timeout) +
                                                             ": " + pending);
      self->finish();
    });
    check();
  }

 private:
  Verdict verdict(const std::string& name, std::string& why) const {
    const supervisor::Snapshot* s = daemon_.runtime().snapshot(name);
    if (s == nullptr) {
      if (goal_ == Goal::AtRest) return Verdict::Done;  // removed by a reload meanwhile
      why = name + " was removed";
      return Verdict::Failed;
    }
    const std::string exit = s->last_exit.empty() ? s->reason : s->last_exit;
    switch (goal_) {
      case Goal::AtRest:
        return supervisor::is_at_rest(s->state) ? Verdict::Done : Verdict::Pending;
      case Goal::InState:
        if (s->state == state_) return Verdict::Done;
        if (state_ == State::Running && s->state == State::Fatal) {
          why = name + " is fatal: " + exit;
          return Verdict::Failed;
        }
        return Verdict::Pending;
      case Goal::Restarted:
        if (!s->spawned_at || *s->spawned_at < requested_) {
          if (s->state == State::Fatal) {
            why = name + " is fatal: " + exit;
            return Verdict::Failed;
          }
          return Verdict::Pending;
        }
        [[fallthrough]];
      case Goal::Running:
        if (s->state == State::Running) return Verdict::Done;
        if (s->state == State::Fatal) {
          why = name + " is fatal: " + exit;
          return Verdict::Failed;
        }
        if (s->state == State::Exited) {
          if (s->exit_ok) return Verdict::Done;  // a one-shot that completed
          why = name + " exited: " + exit;
          return Verdict::Failed;
        }
        if (s->state == State::Stopped && !s->last_exit.empty() && s->since >= requested_) {
          why = name + " stopped: " + exit;
          return Verdict::Failed;
        }
        return Verdict::Pending;
    }
    return Verdict::Pending;
  }

  void check() {
    if (done_) return;
    bool all_done = true;
    for (const std::string& n : names_) {
      std::string why;
      switch (verdict(n, why)) {
        case Verdict::Done:
          break;
        case Verdict::Pending:
          all_done = false;
          break;
        case Verdict::Failed:
          responder_.respond_error(ErrorCode::Failed, why);
          finish();
          return;
      }
    }
    if (!all_done) return;
    responder_.respond_ok({{"services", handler_.services_json(names_)}});
    finish();
  }

  void finish() {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    // Not from inside the runtime's listener loop: removing there is safe for this
    // listener, but deferring keeps the rule simple.
    auto self = shared_from_this();
    asio::post(daemon_.runtime().io(),
               [self] { self->daemon_.runtime().remove_listener(self->listener_); });
  }

  Daemon& daemon_;
  CommandHandler& handler_;
  control::Responder responder_;
  std::vector<std::string> names_;
  Goal goal_;
  State state_;
  supervisor::TimePoint requested_;
  std::string verb_;
  asio::steady_timer timer_;
  std::uint64_t listener_ = 0;
  bool done_ = false;
};

// `logs -f`: polls the file on a timer and streams new lines until the client leaves.
class Follower : public std::enable_shared_from_this<Follower> {
 public:
  Follower(asio::io_context& io, control::Responder responder, std::string path,
           logs::LogPosition from)
      : timer_(io), responder_(std::move(responder)), follower_(std::move(path), from) {}

  void start() {
    auto self = shared_from_this();
    responder_.on_close([self] { self->timer_.cancel(); });
    schedule();
  }

 private:
  void schedule() {
    timer_.expires_after(kFollowPoll);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec || !self->responder_.is_open()) return;
      auto lines = self->follower_.poll();
      if (lines) {
        for (const std::string& line : *lines) {
          if (!self->responder_.send_event({{"line", line}})) return;
        }
      }
      self->schedule();
    });
  }

  asio::steady_timer timer_;
  control::Responder responder_;
  logs::LogFollower follower_;
};

}  // namespace

nlohmann::json CommandHandler::daemon_json() const {
  return {{"pid", os::current_pid()},
          {"state", "running"},
          {"since",
           static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(daemon_.started()))}};
}

nlohmann::json CommandHandler::services_json(const std::vector<std::string>& names) const {
  runtime::Runtime& rt = daemon_.runtime();
  const std::vector<std::string> all = names.empty() ? rt.names() : names;
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& name : all) {
    const supervisor::Snapshot* s = rt.snapshot(name);
    if (s == nullptr) continue;
    nlohmann::json j;
    j["name"] = name;
    j["state"] = supervisor::to_string(s->state);
    j["pid"] = s->pid ? nlohmann::json(*s->pid) : nlohmann::json(nullptr);
    j["since"] = static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(rt.since(name)));
    j["restarts"] = s->restarts;
    j["last_exit"] = s->last_exit;
    j["exit_code"] = nullptr;
    j["signal"] = nullptr;
    if (s->exit) {
      if (s->exit->signaled) {
        j["signal"] = s->exit->signal_name;
      } else {
        j["exit_code"] = s->exit->code;
      }
    }
    j["health"] = health_json(s->health);
    j["reason"] = s->reason;
    out.push_back(std::move(j));
  }
  return out;
}

bool CommandHandler::resolve(const control::Request& request, const control::Responder& responder,
                             std::vector<std::string>& names) const {
  runtime::Runtime& rt = daemon_.runtime();
  if (request.all()) {
    names = rt.names();
    return true;
  }
  names = request.names;
  for (const std::string& n : names) {
    if (rt.contains(n)) continue;
    control::ControlError err;
    err.code = ErrorCode::NoSuchService;
    err.message = "no such service: " + n;
    err.did_you_mean = closest(n, rt.names());
    responder.respond_error(std::move(err));
    return false;
  }
  return true;
}

void CommandHandler::handle(const control::Request& request, control::Responder responder) {
  switch (request.command) {
    case control::Command::Status:
      status(request, responder);
      break;
    case control::Command::Start:
    case control::Command::Stop:
    case control::Command::Restart:
      lifecycle(request, responder);
      break;
    case control::Command::Signal:
      signal(request, responder);
      break;
    case control::Command::Reload:
      reload(request, responder);
      break;
    case control::Command::Logs:
      logs(request, responder);
      break;
    case control::Command::Wait:
      wait(request, responder);
      break;
    case control::Command::Events:
      events(request, responder);
      break;
    case control::Command::Shutdown:
      shutdown(request, responder);
      break;
    case control::Command::Ping:
      responder.respond_ok({{"pong", true}});
      break;
    case control::Command::Version:
      responder.respond_ok({{"version", SUPD_VERSION}, {"protocol", control::kProtocolVersion}});
      break;
  }
}

void CommandHandler::status(const control::Request& request, const control::Responder& responder) {
  std::vector<std::string> names;
  if (!request.names.empty() && !resolve(request, responder, names)) return;
  responder.respond_ok({{"daemon", daemon_json()}, {"services", services_json(names)}});
}

void CommandHandler::lifecycle(const control::Request& request,
                               const control::Responder& responder) {
  std::vector<std::string> names;
  if (!resolve(request, responder, names)) return;
  runtime::Runtime& rt = daemon_.runtime();
  const auto requested = supervisor::Clock::now();
  Goal goal = Goal::Running;
  std::string verb = control::command_name(request.command);
  if (request.command == control::Command::Start) {
    rt.start(names);
    goal = Goal::Running;
  } else if (request.command == control::Command::Stop) {
    rt.stop(names);
    goal = Goal::AtRest;
  } else {
    rt.restart(names);
    goal = Goal::Restarted;
  }
  if (!request.wait) {
    responder.respond_ok({{"services", services_json(names)}});
    return;
  }
  auto waiter = std::make_shared<Waiter>(daemon_, *this, responder, names, goal, State::Running,
                                         requested, verb);
  waiter->start(request.timeout_ms ? std::chrono::milliseconds(*request.timeout_ms) : kDefaultWait);
}

void CommandHandler::signal(const control::Request& request, const control::Responder& responder) {
  std::vector<std::string> names;
  if (!resolve(request, responder, names)) return;
  std::vector<std::string> failures;
  for (const std::string& n : names) {
    if (os::Status st = daemon_.runtime().signal(n, *request.signal); !st) {
      failures.push_back(n + ": " + st.error().message());
    }
  }
  if (failures.empty()) {
    responder.respond_ok({{"signalled", names}});
    return;
  }
  control::ControlError err;
  err.code = ErrorCode::Failed;
  err.message = failures.front();
  err.details = failures;
  responder.respond_error(std::move(err));
}

void CommandHandler::reload(const control::Request& /*request*/,
                            const control::Responder& responder) {
  Daemon::ReloadOutcome r = daemon_.reload();
  if (r.ok) {
    responder.respond_ok({{"message", r.message},
                          {"added", r.added},
                          {"removed", r.removed},
                          {"changed", r.changed},
                          {"unchanged", r.unchanged}});
    return;
  }
  control::ControlError err;
  err.code = r.config_error ? ErrorCode::ConfigError : ErrorCode::Failed;
  err.message = r.message;
  err.details = r.details;
  responder.respond_error(std::move(err));
}

void CommandHandler::logs(const control::Request& request, const control::Responder& responder) {
  std::vector<std::string> names;
  if (!resolve(request, responder, names)) return;
  if (names.size() != 1) {
    responder.respond_error(ErrorCode::BadRequest, "logs takes exactly one service");
    return;
  }
  const bool is_stderr = request.stream == control::LogStream::Stderr;
  const std::string path = daemon_.runtime().log_path(names.front(), is_stderr);
  if (path.empty()) {
    responder.respond_error(ErrorCode::Failed, names.front() + "'s " +
                                                   (is_stderr ? "stderr" : "stdout") +
                                                   " is not written to a log file");
    return;
  }
  auto tail = logs::tail(path, static_cast<std::size_t>(std::max<std::int64_t>(0, request.lines)));
  if (!tail) {
    responder.respond_error(ErrorCode::Failed, tail.error().message());
    return;
  }
  if (!request.follow) {
    responder.respond_ok({{"path", path}, {"lines", tail->lines}});
    return;
  }
  for (const std::string& line : tail->lines) {
    if (!responder.send_event({{"line", line}})) return;
  }
  auto follower = std::make_shared<Follower>(daemon_.runtime().io(), responder, path, tail->end);
  follower->start();
}

void CommandHandler::wait(const control::Request& request, const control::Responder& responder) {
  std::vector<std::string> names;
  if (!resolve(request, responder, names)) return;
  auto state = supervisor::parse_state(request.state);
  if (!state) {
    responder.respond_error(ErrorCode::BadRequest, "unknown state: " + request.state);
    return;
  }
  auto waiter = std::make_shared<Waiter>(daemon_, *this, responder, names, Goal::InState, *state,
                                         supervisor::Clock::now(), "wait");
  waiter->start(request.timeout_ms ? std::chrono::milliseconds(*request.timeout_ms) : kDefaultWait);
}

void CommandHandler::events(const control::Request& request, const control::Responder& responder) {
  std::vector<std::string> names;
  if (!request.names.empty() && !resolve(request, responder, names)) return;
  runtime::Runtime& rt = daemon_.runtime();
  auto id = std::make_shared<std::uint64_t>(0);
  *id = rt.add_listener([responder, names, id, &rt](const runtime::StateChange& c) {
    if (!names.empty() && std::find(names.begin(), names.end(), c.service) == names.end()) {
      return;
    }
    nlohmann::json e = {{"time", unix_seconds(c.time)},
                        {"service", c.service},
                        {"from", supervisor::to_string(c.from)},
                        {"to", supervisor::to_string(c.to)},
                        {"pid", c.pid ? nlohmann::json(c.pid) : nlohmann::json(nullptr)},
                        {"reason", c.reason}};
    if (!responder.send_event(e)) {
      asio::post(rt.io(), [&rt, id] { rt.remove_listener(*id); });
    }
  });
  responder.on_close([&rt, id] { rt.remove_listener(*id); });
}

void CommandHandler::shutdown(const control::Request& /*request*/,
                              const control::Responder& responder) {
  responder.respond_ok({{"message", "shutting down"}});
  Daemon& d = daemon_;
  asio::post(d.runtime().io(), [&d] { d.shutdown("supctl shutdown"); });
}

}  // namespace supd::daemon
