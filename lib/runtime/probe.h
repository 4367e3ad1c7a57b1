// One run of a readiness or health probe (tcp connect, http GET, exec), asynchronously on
// the loop, bounded by a timeout. Cancelling (or destroying the handle) abandons the run:
// its callback is then never called.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <asio/io_context.hpp>

#include "config/model.h"

namespace supd::runtime {

struct ProbeOutcome {
  bool ok = false;
  std::string detail;  // why it failed: "connect 127.0.0.1:8080: Connection refused"
};

class ProbeRun {
 public:
  virtual ~ProbeRun() = default;
  virtual void cancel() = 0;
};

using ProbeDone = std::function<void(const ProbeOutcome&)>;

// Starts one probe. `done` runs once on the loop's thread unless the run is cancelled.
std::shared_ptr<ProbeRun> start_probe(asio::io_context& io, const config::Probe& probe,
                                      std::chrono::milliseconds timeout, ProbeDone done);

}  // namespace supd::runtime
