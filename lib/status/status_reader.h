// supctl's side of the status page: maps it read-only and copies it out, without asking the
// daemon, so `supctl status` answers even while supd is busy, hung or gone.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "os/file_mapping.h"
#include "os/named_semaphore.h"
#include "os/result.h"
#include "status/page_codec.h"
#include "status/service_status.h"

namespace supd::status {

struct ReaderOptions {
  // The longest a read waits for the status lock before reading without it.
  std::chrono::microseconds lock_timeout{20000};
  // The longest a read waits out records that stay mid-update (a writer preempted inside
  // one, or dead inside one) before taking them as found.
  std::chrono::milliseconds settle_budget{200};
  bool use_lock = true;
};

class StatusReader {
 public:
  // Maps the page at `path`. Errors: the file is missing or unreadable ("open /x: No such
  // file or directory"), or not a page this supctl can read ("status page /x: layout
  // version 3, this supctl reads version 1 — upgrade supctl").
  static os::Result<StatusReader> open(const std::string& path, const ReaderOptions& options = {});

  // The whole page at one moment. Follows the page when supd re-created it since the last
  // read (a restart), so a long-running reader keeps up. Never blocks for longer than
  // lock_timeout + settle_budget.
  os::Result<Snapshot> read();

  const std::string& path() const { return path_; }
  // Whether reads can take the status lock (the semaphore exists and may be used).
  bool has_lock() const { return lock_.has_value(); }

 private:
  StatusReader(std::string path, ReaderOptions options, os::FileMapping mapping,
               codec::Geometry geometry)
      : path_(std::move(path)),
        options_(options),
        mapping_(std::move(mapping)),
        geometry_(geometry) {}
  void open_lock();

  std::string path_;
  ReaderOptions options_;
  os::FileMapping mapping_;
  codec::Geometry geometry_;
  std::optional<os::NamedSemaphore> lock_;
  codec::RawPage raw_;  // reused: no allocation while the lock is held
};

}  // namespace supd::status
