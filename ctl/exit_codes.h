// supctl's exit codes (SPEC.md, "supctl").
#pragma once

namespace supd::ctl {

inline constexpr int kExitOk = 0;
// The daemon is unreachable, an operation failed, `wait` or `start` timed out.
inline constexpr int kExitError = 1;
// Bad usage (unknown command, flag or value) or a bad config.
inline constexpr int kExitUsage = 2;
// `status`: a named service is not running; with no names, some service is backoff or fatal.
inline constexpr int kExitNotRunning = 3;
inline constexpr int kExitNoSuchService = 4;

}  // namespace supd::ctl
