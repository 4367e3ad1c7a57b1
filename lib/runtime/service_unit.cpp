#include "runtime/service_unit.h"

#include <utility>

#include <asio/error.hpp>

#include "runtime/mapping.h"

namespace supd::runtime {

namespace {

// Reads per wake-up before a pump waits again, so that one flooding service cannot hold the
// loop while others wait for theirs.
constexpr int kReadsPerWakeUp = 4;

// The buffer every pump of this thread reads into; its bytes are written out before the
// pump returns to the loop. Its pages are touched only as far as the largest read.
char* shared_read_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[OutputPump::kBufferSize]);
  return buffer.get();
}

}  // namespace

OutputPump::OutputPump(std::unique_ptr<os::AsyncPipe> pipe, logs::LogFile* file)
    : pipe_(std::move(pipe)), file_(file) {
  // Not zero-filled: a quiet service never touches (so never pays for) its pages.
  if (!pipe_->can_wait_readable()) buffer_.reset(new char[kBufferSize]);
}

void OutputPump::start() {
  if (buffer_) {
    read_more();
  } else {
    wait_readable();
  }
}

void OutputPump::detach() {
  file_ = nullptr;
  if (pipe_) pipe_->close();
}

void OutputPump::finish() {
  // End of stream (or the pipe was closed): the last partial line is already in the file;
  // say so to the file for timestamp bookkeeping.
  if (file_ != nullptr) (void)file_->end_of_stream();
  finished_ = true;
}

void OutputPump::wait_readable() {
  auto self = shared_from_this();
  pipe_->async_wait_readable([self](std::error_code ec) { self->on_readable(ec); });
}

void OutputPump::on_readable(std::error_code ec) {
  if (ec) return finish();
  char* buffer = shared_read_buffer();
  for (int i = 0; i < kReadsPerWakeUp; ++i) {
    std::error_code read_ec;
    const std::size_t n = pipe_->read_now(buffer, kBufferSize, read_ec);
    if (n > 0 && file_ != nullptr) (void)file_->write(buffer, n);
    if (read_ec) return finish();
    if (n < kBufferSize) break;  // drained for now
  }
  wait_readable();
}

void OutputPump::read_more() {
  auto self = shared_from_this();
  pipe_->async_read(buffer_.get(), kBufferSize, [self](std::error_code ec, std::size_t n) {
    if (n > 0 && self->file_ != nullptr) (void)self->file_->write(self->buffer_.get(), n);
    if (ec) return self->finish();
    self->read_more();
  });
}

namespace {

std::unique_ptr<logs::OutputRouter> make_router(const config::ServiceConfig& c,
                                                const std::string& log_dir) {
  return std::make_unique<logs::OutputRouter>(
      to_stream_config(c.stdout_output, log_dir, c.name, false),
      to_stream_config(c.stderr_output, log_dir, c.name, true));
}

}  // namespace

ServiceUnit::ServiceUnit(asio::io_context& io, config::ServiceConfig c, const std::string& log_dir)
    : config(std::move(c)),
      output(make_router(config, log_dir)),
      timer(io),
      group_poll(io),
      ready_timer(io),
      health_timer(io) {}

ServiceUnit::~ServiceUnit() {
  stop_probes();
  for (auto& pump : pumps) pump->detach();
}

void ServiceUnit::reconfigure(config::ServiceConfig c, const std::string& log_dir) {
  config = std::move(c);
  // Pumps of a child still running keep writing to the old files until its pipes close (no
  // byte lost); the new router takes over from the next spawn.
  retired_outputs.push_back(std::move(output));
  output = make_router(config, log_dir);
}

void ServiceUnit::attach_output(os::Child& c) {
  pumps.remove_if([](const std::shared_ptr<OutputPump>& p) { return p->finished(); });
  if (pumps.empty()) retired_outputs.clear();
  if (auto out = c.take_stdout()) {
    auto pump = std::make_shared<OutputPump>(std::move(out), output->stdout_log());
    pumps.push_back(pump);
    pump->start();
  }
  if (auto err = c.take_stderr()) {
    auto pump = std::make_shared<OutputPump>(std::move(err), output->stderr_log());
    pumps.push_back(pump);
    pump->start();
  }
}

void ServiceUnit::stop_probes() {
  ready_probe_on = false;
  health_probe_on = false;
  ready_timer.cancel();
  health_timer.cancel();
  if (ready_run) ready_run->cancel();
  if (health_run) health_run->cancel();
  ready_run.reset();
  health_run.reset();
}

}  // namespace supd::runtime
