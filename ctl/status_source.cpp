#include "ctl/status_source.h"

#include <filesystem>

#include "ctl/answer.h"
#include "os/process.h"
#include "status/liveness.h"

namespace supd::ctl {
namespace {

os::Error plain_error(std::string what) { return os::Error{std::error_code(), std::move(what)}; }

// Known not to be there: a directory we may not search is no proof of absence.
bool missing(const std::string& path) {
  std::error_code ec;
  (void)std::filesystem::symlink_status(path, ec);
  return ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory;
}

// supd's own answer to `status`, without services filtered (the caller selects).
os::Result<StatusView> ask_daemon(const Endpoints& endpoints) {
  control::ClientOptions options;
  options.group_hint = endpoints.group;
  options.connect_timeout = std::chrono::seconds(2);
  auto client = control::ControlClient::connect(endpoints.socket, options);
  if (!client) return client.error();
  auto raw = client->call({{"cmd", "status"}}, kAnswerTimeout);
  if (!raw) return raw.error();
  auto answer = read_answer(*raw);
  if (!answer) return answer.error();
  if (!answer->ok) return plain_error("supd answered: " + describe(answer->error));
  return view_from_answer(answer->result, endpoints.socket);
}

}  // namespace

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

os::Result<StatusView> read_page_view(status::StatusReader& reader) {
  auto snapshot = reader.read();
  if (!snapshot) return snapshot.error();
  const auto liveness = status::judge(*snapshot, now_unix_ms(), [](std::int64_t pid) {
    return os::process_exists(static_cast<os::Pid>(pid));
  });
  return view_from_snapshot(*snapshot, liveness);
}

os::Result<StatusView> fetch_status(Context& context) {
  const Endpoints& endpoints = context.endpoints();
  auto reader = status::StatusReader::open(endpoints.status_page);
  std::string page_problem;
  if (reader) {
    auto view = read_page_view(*reader);
    if (view) return view;
    page_problem = view.error().message();
  } else if (missing(endpoints.status_page)) {
    page_problem = "no status page at " + endpoints.status_page;
  } else {
    page_problem = reader.error().message();
  }

  auto answered = ask_daemon(endpoints);
  if (answered) return answered;
  if (missing(endpoints.status_page) && missing(endpoints.socket)) {
    return plain_error("supd is not running (no status page at " + endpoints.status_page +
                       ", no answer at socket " + endpoints.socket + ")");
  }
  return plain_error("cannot get supd's status: " + page_problem + "; " +
                     answered.error().message());
}

}  // namespace supd::ctl
