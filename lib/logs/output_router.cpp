#include "logs/output_router.h"

#include <filesystem>
#include <utility>

namespace supd::logs {

namespace {

os::StdioMode mode_of(StreamConfig::Kind kind) {
  switch (kind) {
    case StreamConfig::Kind::Inherit:
      return os::StdioMode::Inherit;
    case StreamConfig::Kind::Null:
      return os::StdioMode::Null;
    case StreamConfig::Kind::File:
    case StreamConfig::Kind::Stdout:
      return os::StdioMode::Pipe;
  }
  return os::StdioMode::Null;
}

}  // namespace

std::string default_log_name(std::string_view service, bool is_stderr) {
  return std::string(service) + (is_stderr ? ".err.log" : ".out.log");
}

std::string resolve_log_path(const std::string& log_dir, const std::string& file,
                             std::string_view service, bool is_stderr) {
  const std::filesystem::path name(file.empty() ? default_log_name(service, is_stderr) : file);
  if (name.is_absolute() || log_dir.empty()) return name.string();
  return (std::filesystem::path(log_dir) / name).string();
}

OutputRouter::OutputRouter(const StreamConfig& out, const StreamConfig& err, FileSystem& fs,
                           LogFile::Clock clock)
    : out_kind_(out.kind == StreamConfig::Kind::Stdout ? StreamConfig::Kind::Inherit : out.kind),
      err_kind_(err.kind) {
  if (out_kind_ == StreamConfig::Kind::File) {
    out_ = std::make_unique<LogFile>(out.file, fs, clock);
  }
  if (err_kind_ == StreamConfig::Kind::File) {
    err_ = std::make_unique<LogFile>(err.file, fs, std::move(clock));
  }
}

void OutputRouter::configure(os::ProcessSpec& spec) const {
  spec.stdout_mode = mode_of(out_kind_);
  spec.stderr_to_stdout = err_kind_ == StreamConfig::Kind::Stdout;
  spec.stderr_mode = spec.stderr_to_stdout ? spec.stdout_mode : mode_of(err_kind_);
}

std::string OutputRouter::log_path(bool is_stderr) const {
  if (is_stderr && err_) return err_->path();
  if (is_stderr && err_kind_ != StreamConfig::Kind::Stdout) return "";
  return out_ ? out_->path() : "";
}

template <class Op>
os::Status OutputRouter::both(Op op) {
  os::Status status;
  for (LogFile* log : {out_.get(), err_.get()}) {
    if (!log) continue;
    os::Status s = op(*log);
    if (status.ok() && !s.ok()) status = std::move(s);
  }
  return status;
}

os::Status OutputRouter::open() {
  return both([](LogFile& f) { return f.open(); });
}
os::Status OutputRouter::end_of_stream() {
  return both([](LogFile& f) { return f.end_of_stream(); });
}
os::Status OutputRouter::retry() {
  return both([](LogFile& f) { return f.retry(); });
}
os::Status OutputRouter::reopen() {
  return both([](LogFile& f) { return f.reopen(); });
}
os::Status OutputRouter::close() {
  return both([](LogFile& f) { return f.close(); });
}

std::uint64_t OutputRouter::dropped_bytes() const {
  return (out_ ? out_->dropped_bytes() : 0) + (err_ ? err_->dropped_bytes() : 0);
}

bool OutputRouter::failing() const {
  return (out_ && out_->failing()) || (err_ && err_->failing());
}

}  // namespace supd::logs
