// What the runtime holds for one service besides its state machine: the running child, the
// one timer, the notify socket, probes and the log pumps. Nothing here decides anything.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "config/model.h"
#include "logs/output_router.h"
#include "os/notify_socket.h"
#include "os/pipe.h"
#include "os/process.h"
#include "runtime/probe.h"

namespace supd::runtime {

// Copies what a child writes on one pipe into its log file, chunk by chunk as the pipe
// delivers it. Lives until the pipe's last writer (the child or a grandchild) closes it.
//
// Where the pipe can say "readable" (POSIX), a pump owns no buffer: it waits, then reads into
// one buffer that every pump of the loop's thread shares, and hands the bytes to the file
// before it returns. A thousand quiet services then cost no buffer memory at all. Elsewhere
// it reads into a buffer of its own.
class OutputPump : public std::enable_shared_from_this<OutputPump> {
 public:
  OutputPump(std::unique_ptr<os::AsyncPipe> pipe, logs::LogFile* file);
  void start();
  // The service is going away: stop reading; the file pointer is not used again.
  void detach();
  bool finished() const { return finished_; }

  static constexpr std::size_t kBufferSize = std::size_t{64} * 1024;

 private:
  void wait_readable();
  void on_readable(std::error_code ec);
  void read_more();
  void finish();

  std::unique_ptr<os::AsyncPipe> pipe_;
  logs::LogFile* file_;
  std::unique_ptr<char[]> buffer_;  // only where the pipe cannot wait for readability
  bool finished_ = false;
};

struct ServiceUnit {
  ServiceUnit(asio::io_context& io, config::ServiceConfig config, const std::string& log_dir);
  ~ServiceUnit();
  ServiceUnit(const ServiceUnit&) = delete;
  ServiceUnit& operator=(const ServiceUnit&) = delete;

  // Replaces the config (reload); log files follow the new settings from the next spawn.
  void reconfigure(config::ServiceConfig config, const std::string& log_dir);
  // Starts pumping the child's pipes into the log files.
  void attach_output(os::Child& child);
  void stop_probes();

  config::ServiceConfig config;
  std::unique_ptr<logs::OutputRouter> output;
  std::unique_ptr<os::Child> child;
  std::uint64_t run = 0;  // bumped per spawn: callbacks of an older child are ignored

  asio::steady_timer timer;       // the supervisor's one deadline per service
  asio::steady_timer group_poll;  // while the rest of an exited child's group is stopped
  std::unique_ptr<os::NotifySocket> notify;

  asio::steady_timer ready_timer;
  asio::steady_timer health_timer;
  std::shared_ptr<ProbeRun> ready_run;
  std::shared_ptr<ProbeRun> health_run;
  bool ready_probe_on = false;
  bool health_probe_on = false;

  std::list<std::shared_ptr<OutputPump>> pumps;
  // Routers replaced by a reload whose files pumps of an older child may still write to.
  std::list<std::unique_ptr<logs::OutputRouter>> retired_outputs;
  int status_slot = -1;
};

}  // namespace supd::runtime
