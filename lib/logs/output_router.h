// A service's stdout and stderr, tied to log files as its config says: separate files,
// merged into one (`stderr: stdout`), or not captured at all (inherit / null).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "logs/file_system.h"
#include "logs/log_file.h"
#include "os/process.h"
#include "os/result.h"

namespace supd::logs {

// One stream's destination (the `stdout:` / `stderr:` config keys).
struct StreamConfig {
  enum class Kind {
    Inherit,  // supd's own stdout/stderr
    Null,     // discarded
    File,     // a log file, `file` (its path already resolved, see resolve_log_path)
    Stdout,   // stderr only: wherever stdout goes, through the same pipe, in order
  };
  Kind kind = Kind::File;
  LogFileOptions file;
};

// "web" -> "web.out.log", or "web.err.log" for stderr.
std::string default_log_name(std::string_view service, bool is_stderr);

// The path of a log file: `file` relative to `log_dir` (an absolute `file` stays as it is);
// an empty `file` means default_log_name().
std::string resolve_log_path(const std::string& log_dir, const std::string& file,
                             std::string_view service, bool is_stderr);

class OutputRouter {
 public:
  // Opens nothing yet (see open()). A `Stdout` stdout is taken as `File`-less Inherit.
  OutputRouter(const StreamConfig& out, const StreamConfig& err,
               FileSystem& fs = real_file_system(), LogFile::Clock clock = nullptr);

  // Sets stdout_mode, stderr_mode and stderr_to_stdout of a spec to match. Merged output
  // uses one pipe for both streams, so their order is kept and one LogFile sees one
  // stream of lines.
  void configure(os::ProcessSpec& spec) const;

  // Where the bytes read from the child's stdout pipe go; nullptr when there is no such
  // pipe (inherit, null).
  LogFile* stdout_log() { return out_.get(); }
  // Where the bytes read from the child's stderr pipe go; nullptr when stderr has no pipe
  // of its own (inherit, null, merged into stdout).
  LogFile* stderr_log() { return err_.get(); }

  // The file `supctl logs NAME [--stderr]` reads: merged stderr reads stdout's file;
  // "" when the stream is not written to a file.
  std::string log_path(bool is_stderr) const;

  // Each applies to both files and returns the first error.
  os::Status open();
  os::Status end_of_stream();
  os::Status retry();
  os::Status reopen();
  os::Status close();

  std::uint64_t dropped_bytes() const;
  bool failing() const;

 private:
  template <class Op>
  os::Status both(Op op);

  StreamConfig::Kind out_kind_;
  StreamConfig::Kind err_kind_;
  std::unique_ptr<LogFile> out_;
  std::unique_ptr<LogFile> err_;
};

}  // namespace supd::logs
