// The POSIX Child, as spawn() hands it out.
#pragma once

#include <memory>

#include <asio/io_context.hpp>

#include "os/pipe.h"
#include "os/posix/reaper.h"
#include "os/process.h"

namespace supd::os::posix {

std::unique_ptr<Child> make_child(std::shared_ptr<ChildRecord> record,
                                  std::unique_ptr<AsyncPipe> stdout_pipe,
                                  std::unique_ptr<AsyncPipe> stderr_pipe);

}  // namespace supd::os::posix
