#include "e2e/event_log.h"

#include <sstream>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/client.h"
#include "control/line_framer.h"
#include "os/local_socket.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr std::size_t kMaxLine = 1 << 20;

}  // namespace

EventLog::EventLog(const std::string& socket_path, const std::vector<std::string>& names) {
  nlohmann::json request = {{"v", 1}, {"id", 1}, {"cmd", "events"}};
  if (!names.empty()) request["names"] = names;
  thread_ = std::thread([this, socket_path, line = request.dump()] { run(socket_path, line); });
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (!subscribed_ && !failed_ && Clock::now() < deadline) std::this_thread::sleep_for(kPoll);
  if (!subscribed_) {
    ADD_FAILURE() << "events: could not subscribe: " << failure_;
    return;
  }
  // The request is in the socket. supd reads it on its next turn of the loop; a `ping` on a
  // connection made after that needs an accept and a read (two more turns), so once it is
  // answered the subscription is in place. Two of them leave no doubt.
  for (int i = 0; i < 2; ++i) {
    auto client = control::ControlClient::connect(socket_path);
    if (!client) {
      ADD_FAILURE() << "events: ping: " << client.error().message();
      return;
    }
    auto answer = client->call({{"cmd", "ping"}}, std::chrono::seconds(20));
    if (!answer) ADD_FAILURE() << "events: ping: " << answer.error().message();
  }
}

EventLog::~EventLog() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventLog::run(const std::string& socket_path, std::string request) {
  asio::io_context io;
  auto stream = os::connect(io, socket_path);
  if (!stream) {
    failure_ = stream.error().message();
    failed_ = true;
    return;
  }
  request += '\n';
  if (os::Status st = (*stream)->write_all(request.data(), request.size()); !st) {
    failure_ = st.error().message();
    failed_ = true;
    return;
  }
  subscribed_ = true;
  control::LineFramer framer(kMaxLine);
  std::vector<char> buffer(std::size_t{64} * 1024);
  std::function<void()> read_more = [&] {
    (*stream)->async_read_some(
        buffer.data(), buffer.size(), [&](std::error_code ec, std::size_t n) {
          if (ec) {
            closed_ = true;
            return;
          }
          framer.feed(buffer.data(), n);
          while (auto line = framer.next_line()) {
            nlohmann::json j = nlohmann::json::parse(*line, nullptr, false);
            if (j.is_discarded()) continue;
            if (j.contains("ok")) {  // the final answer: the daemon ended the stream
              closed_ = true;
              continue;
            }
            if (!j.contains("event")) continue;
            const nlohmann::json& e = j["event"];
            StateEvent ev;
            ev.time = e.value("time", 0.0);
            ev.service = e.value("service", "");
            ev.from = e.value("from", "");
            ev.to = e.value("to", "");
            ev.pid = e["pid"].is_number() ? e["pid"].get<std::int64_t>() : 0;
            ev.reason = e.value("reason", "");
            ev.received = Clock::now();
            std::lock_guard<std::mutex> lock(mutex_);
            events_.push_back(std::move(ev));
          }
          if (!closed_) read_more();
        });
  };
  read_more();
  while (!stop_ && !closed_) io.run_one_for(std::chrono::milliseconds(20));
  (*stream)->close();
  io.restart();
  io.run();  // lets the cancelled read finish before `buffer` and `framer` go
}

std::vector<StateEvent> EventLog::events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

std::size_t EventLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

std::string EventLog::dump() const {
  std::ostringstream out;
  for (const StateEvent& e : events()) {
    out << "\n  " << std::fixed << e.time << " " << e.service << ": " << e.from << " -> " << e.to
        << " pid " << e.pid << " (" << e.reason << ")";
  }
  return out.str();
}

StateEvent EventLog::wait_for(const std::function<bool(const StateEvent&)>& predicate,
                              const std::string& what, std::chrono::milliseconds timeout) {
  return wait_indexed([&](std::size_t, const StateEvent& e) { return predicate(e); }, what,
                      timeout);
}

StateEvent EventLog::wait_indexed(
    const std::function<bool(std::size_t, const StateEvent&)>& predicate, const std::string& what,
    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (std::size_t i = 0; i < events_.size(); ++i) {
        if (predicate(i, events_[i])) return events_[i];
      }
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPoll);
  }
  ADD_FAILURE() << "waited " << std::chrono::duration<double>(timeout).count() << " s for event "
                << what << "; events so far:" << dump();
  return {};
}

StateEvent EventLog::wait_for_transition(const std::string& service, const std::string& to,
                                         std::size_t after, std::chrono::milliseconds timeout) {
  return wait_indexed(
      [&](std::size_t i, const StateEvent& e) {
        return i >= after && e.service == service && e.to == to;
      },
      service + " -> " + to, timeout);
}

bool EventLog::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_) {
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "the events stream was not closed";
      return false;
    }
    std::this_thread::sleep_for(kPoll);
  }
  return true;
}

long index_of(const std::vector<StateEvent>& events, const std::string& service,
              const std::string& to, std::size_t from) {
  for (std::size_t i = from; i < events.size(); ++i) {
    if (events[i].service == service && events[i].to == to) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace supd::e2e
