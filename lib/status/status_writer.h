// The daemon's side of the status page: it owns the page and is its only writer.
//
// Thread: one thread (the event loop) calls everything, except record_crash(), which the
// crash signal handler may call at any moment. No call blocks for more than
// WriterOptions::lock_timeout (a few milliseconds), whatever readers do.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "os/file_mapping.h"
#include "os/named_semaphore.h"
#include "os/result.h"
#include "status/page_layout.h"
#include "status/service_status.h"

namespace supd::status {

struct WriterOptions {
  // Permission bits of the page. The status lock gets read and write permission wherever the
  // page is readable, because taking the lock means decrementing it.
  unsigned mode = 0644;
  // The longest the writer waits for the status lock before writing without it.
  std::chrono::microseconds lock_timeout{2000};
  // The lock stayed unavailable this long, across attempts with none succeeding: its holder
  // is taken to be dead (a reader killed while holding it) and the lock is given back.
  std::chrono::milliseconds stale_lock_after{1000};
  // Without the lock, readers still never see a torn record (the seqlocks see to that) but
  // records of one read may be from slightly different moments.
  bool use_lock = true;
};

class StatusWriter {
 public:
  // Largest capacity create() accepts (16 MiB of records).
  static constexpr std::size_t kMaxCapacity = 65536;

  // Creates a fresh page for `capacity` services at `path` (its directory must exist). The
  // page is built beside it ("PATH.new") and renamed over it, so a reader never sees it
  // half-made and readers of the old page keep a valid one; where that fails it is re-created
  // in place. The last crash recorded on the old page, if any, is carried over. Only one
  // writer may exist per path: the caller makes sure it is the only supd (the control pipe
  // lock) before calling this.
  static os::Result<StatusWriter> create(const std::string& path, std::size_t capacity,
                                         const WriterOptions& options = {});

  StatusWriter(StatusWriter&&) noexcept = default;
  StatusWriter& operator=(StatusWriter&&) noexcept = default;
  StatusWriter(const StatusWriter&) = delete;
  StatusWriter& operator=(const StatusWriter&) = delete;
  // Leaves the page in place for supctl; call set_daemon_state(Stopped) first on a clean exit.
  ~StatusWriter() = default;

  void set_daemon_info(std::int64_t pid, std::int64_t start_time);
  void set_daemon_state(DaemonState state);
  // Readers judge the daemon alive while this is recent; call it at least every
  // kHeartbeatInterval (liveness.h). It also notices and repairs a stale lock while idle.
  void heartbeat(std::int64_t unix_ms);

  // The slot of service `name`, adding a stopped record for it when new. -1 when the page is
  // full or the name is empty or longer than kMaxNameLength.
  int add_or_find(std::string_view name);
  // Writes a service's record. `status.name` is ignored: the slot keeps its name. Texts
  // longer than their fields are cut (at a character boundary). Invalid slots are ignored.
  void update(int slot, const ServiceStatus& status);
  // Frees the service's record; unknown names are ignored.
  void remove(std::string_view name);

  // Records supd's own crash on the page, where it survives the next create(). For the crash
  // signal handler: async-signal-safe (no locks, no allocation, writes only into the
  // mapping). `text` is a short NUL-terminated description (cut to 95 bytes); may be null.
  void record_crash(std::int64_t unix_time, int signo, std::uint64_t fault_address,
                    const char* text) noexcept;

  // The crash carried over from the page create() replaced, if it recorded one, and whether
  // it was the crash of the supd just before this one.
  const std::optional<CrashInfo>& previous_crash() const { return previous_crash_; }
  bool previous_run_crashed() const { return (daemon_.flags & kFlagPreviousRunCrashed) != 0; }
  // The supd before this one died without a crash record (SIGKILL, power loss).
  bool previous_run_unclean() const { return (daemon_.flags & kFlagPreviousRunUnclean) != 0; }

  const std::string& path() const { return path_; }
  std::size_t capacity() const { return slots_.size(); }
  // Why the page has no status lock (the semaphore could not be created), for the log.
  const std::optional<os::Error>& lock_error() const { return lock_error_; }
  // Times the lock was not available in time (the write went ahead without it).
  std::uint64_t lock_timeouts() const { return lock_timeouts_; }
  // Times a stale lock was given back.
  std::uint64_t lock_repairs() const { return lock_repairs_; }

 private:
  StatusWriter(std::string path, os::FileMapping mapping, const WriterOptions& options);

  std::byte* header() { return mapping_.data(); }
  std::byte* record(int slot);
  void write_daemon();
  void write_record(int slot, const RecordBlock& block);
  void bump_generation() noexcept;
  void initialize(const CrashBlock& crash);
  void open_lock(const std::string& name, bool replacing);
  // Takes the status lock if it can within the limits (`may_wait`: up to lock_timeout,
  // otherwise not at all); false when writing without it.
  bool acquire_lock(bool may_wait);
  void release_lock();

  std::string path_;
  os::FileMapping mapping_;
  WriterOptions options_;
  std::optional<os::NamedSemaphore> lock_;
  std::optional<os::Error> lock_error_;
  DaemonBlock daemon_{};            // what the page's daemon block holds
  std::vector<std::string> slots_;  // service name per slot; "" = free
  std::unordered_map<std::string, int> index_;
  std::optional<CrashInfo> previous_crash_;

  // Lock recovery: the lock was unavailable at the last attempt, since `lock_suspect_since_`.
  bool lock_suspect_ = false;
  std::chrono::steady_clock::time_point lock_suspect_since_{};
  std::uint64_t lock_timeouts_ = 0;
  std::uint64_t lock_repairs_ = 0;
};

}  // namespace supd::status
