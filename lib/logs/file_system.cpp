#include "logs/file_system.h"

#include <utility>

#include "os/log_file_io.h"

namespace supd::logs {

namespace {

class RealWritableFile final : public WritableFile {
 public:
  explicit RealWritableFile(os::AppendFile file) : file_(std::move(file)) {}
  os::Result<std::size_t> write(const char* data, std::size_t n) override {
    return file_.write(data, n);
  }
  os::Result<std::uint64_t> size() override {
    auto info = file_.info();
    if (!info) return info.error();
    return info->size;
  }

 private:
  os::AppendFile file_;
};

class RealFileSystem final : public FileSystem {
 public:
  os::Result<Opened> open_append(const std::string& path) override {
    auto file = os::AppendFile::open(path);
    if (!file) return file.error();
    auto info = file->info();
    if (!info) return info.error();
    return Opened{std::make_unique<RealWritableFile>(std::move(*file)), info->size};
  }
  os::Status rename(const std::string& from, const std::string& to) override {
    return os::rename_file(from, to);
  }
};

}  // namespace

FileSystem& real_file_system() {
  static RealFileSystem fs;
  return fs;
}

}  // namespace supd::logs
