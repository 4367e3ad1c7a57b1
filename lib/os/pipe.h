// The read end of a child's output pipe, read asynchronously on the event loop.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <system_error>
#include <utility>

#include <asio/io_context.hpp>

namespace supd::os {

class AsyncPipe {
 public:
  virtual ~AsyncPipe() = default;
  // Reads what is available, up to `size` bytes, into `data`. `on_read(ec, n)` runs on the
  // loop's thread; end of file is asio::error::eof. One read outstanding at a time.
  virtual void async_read(char* data, std::size_t size,
                          std::function<void(std::error_code, std::size_t)> on_read) = 0;
  // Reads what is available right now without waiting (0 when nothing is). Used to drain the
  // pipe after the writer exited. End of file or error: returns 0 and sets `ec`.
  virtual std::size_t read_now(char* data, std::size_t size, std::error_code& ec) = 0;
  // Whether async_wait_readable() is available. With it a reader needs no buffer of its own
  // while it waits: it reads with read_now() into whatever buffer it has at that moment.
  virtual bool can_wait_readable() const { return false; }
  // `on_ready(ec)` runs on the loop's thread once data or end of file can be read (or with an
  // error, e.g. operation_aborted after close()). One wait outstanding at a time, and not
  // together with async_read().
  virtual void async_wait_readable(std::function<void(std::error_code)> on_ready) {
    const auto done = std::move(on_ready);
    done(std::make_error_code(std::errc::operation_not_supported));
  }
  virtual void close() = 0;
};

}  // namespace supd::os
