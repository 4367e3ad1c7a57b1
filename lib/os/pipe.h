// The read end of a child's output pipe, read asynchronously on the event loop.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <system_error>

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
  virtual void close() = 0;
};

}  // namespace supd::os
