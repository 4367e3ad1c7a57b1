#include "status/status_reader.h"

#include <utility>

namespace supd::status {

os::Result<StatusReader> StatusReader::open(const std::string& path, const ReaderOptions& options) {
  auto mapping = os::FileMapping::open_read_only(path);
  if (!mapping) return mapping.error();
  auto geometry = codec::check(mapping->data(), mapping->size(), path);
  if (!geometry) return geometry.error();
  StatusReader reader(path, options, std::move(*mapping), *geometry);
  reader.open_lock();
  return reader;
}

void StatusReader::open_lock() {
  lock_.reset();
  if (!options_.use_lock) return;
  // Opened after the page: supd makes the semaphore before it moves a new page into place,
  // so this finds the semaphore that belongs to the page just mapped. A reader that may not
  // use it (permissions) or finds none reads with the seqlocks alone.
  auto lock = os::NamedSemaphore::open(os::semaphore_name_for(path_));
  if (lock) lock_.emplace(std::move(*lock));
}

os::Result<Snapshot> StatusReader::read() {
  if (!mapping_.still_at()) {
    // supd re-created the page (it restarted): follow it. If it is gone, keep reading the
    // page we have: it is the last word of the supd that wrote it.
    if (auto mapping = os::FileMapping::open_read_only(path_)) {
      auto geometry = codec::check(mapping->data(), mapping->size(), path_);
      if (!geometry) return geometry.error();
      mapping_ = std::move(*mapping);
      geometry_ = *geometry;
      open_lock();
    }
  }
  raw_.records.reserve(geometry_.capacity);

  bool locked = false;
  if (lock_) {
    auto got = lock_->wait_for(options_.lock_timeout);
    locked = got && *got;
  }
  // Held for the copy only (microseconds): the writer gives up waiting after a few ms.
  codec::copy_page(mapping_.data(), geometry_,
                   std::chrono::steady_clock::now() + options_.settle_budget, raw_);
  if (locked) (void)lock_->post();

  Snapshot snapshot = codec::decode(raw_, geometry_, path_);
  snapshot.locked = locked;
  return snapshot;
}

}  // namespace supd::status
