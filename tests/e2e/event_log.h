// A subscriber to supd's `events` stream that records every state change on a thread of
// its own, so a test can look at the order and timing of transitions afterwards.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace supd::e2e {

struct StateEvent {
  double time = 0;  // the daemon's unix seconds
  std::string service;
  std::string from;
  std::string to;
  std::int64_t pid = 0;  // 0: none
  std::string reason;
  std::chrono::steady_clock::time_point received;  // when this test read it
};

class EventLog {
 public:
  // Subscribes (to `names` only, when given) and returns once the daemon has taken the
  // subscription (see the constructor's body for how that is known).
  explicit EventLog(const std::string& socket_path, const std::vector<std::string>& names = {});
  // Leaves the stream.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  std::vector<StateEvent> events() const;
  // Whether the daemon ended the stream (it shut down).
  bool closed() const { return closed_.load(); }

  // Polls until some recorded event satisfies `predicate`; returns it, or a failure naming
  // `what` (and an empty event) at the deadline.
  StateEvent wait_for(const std::function<bool(const StateEvent&)>& predicate,
                      const std::string& what,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Until `service` entered `to` (after `after` events were recorded).
  StateEvent wait_for_transition(const std::string& service, const std::string& to,
                                 std::size_t after = 0,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Until the stream was closed by the daemon.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::size_t size() const;
  // Every event, one per line, for failure messages.
  std::string dump() const;

 private:
  void run(const std::string& socket_path, std::string request);
  StateEvent wait_indexed(const std::function<bool(std::size_t, const StateEvent&)>& predicate,
                          const std::string& what, std::chrono::milliseconds timeout);

  mutable std::mutex mutex_;
  std::vector<StateEvent> events_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> closed_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> failed_{false};
  std::string failure_;
  std::thread thread_;
};

// Index of the first event of `service` entering `to` in `events`, or -1.
long index_of(const std::vector<StateEvent>& events, const std::string& service,
              const std::string& to, std::size_t from = 0);

}  // namespace supd::e2e
