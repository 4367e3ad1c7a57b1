#include "config/probe_address.h"

#include <charconv>

#include "config/reader.h"

namespace supd::config {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// "host:port" or "[v6]:port" into its parts; the port text may be empty when optional.
bool split_authority(std::string_view text, std::string_view& host, std::string_view& port,
                     bool& has_port) {
  has_port = false;
  if (text.starts_with("[")) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (rest[0] != ':') return false;
    port = rest.substr(1);
    has_port = true;
    return true;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    host = text;
    return true;
  }
  host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) return false;  // IPv6 needs brackets
  port = text.substr(colon + 1);
  has_port = true;
  return true;
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text, std::string& error) {
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  std::optional<std::uint16_t> number;
  if (split_authority(text, host, port, has_port) && has_port && !host.empty()) {
    number = parse_port(port);
  }
  if (!number) {
    error =
        "expected host:port such as 127.0.0.1:8080 (port 1 to 65535), got " + detail::quoted(text);
    return std::nullopt;
  }
  return HostPort{std::string(host), *number};
}

std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error) {
  const std::string expected =
      "expected a URL such as http://127.0.0.1:8080/healthz, got " + detail::quoted(text);
  constexpr std::string_view kScheme = "http://";
  if (text.size() < kScheme.size() || !detail::starts_with_ignoring_case(text, kScheme)) {
    error = text.find("://") != std::string_view::npos
                ? "expected an http:// URL (probes do not speak TLS), got " + detail::quoted(text)
                : expected;
    return std::nullopt;
  }
  std::string_view rest = text.substr(kScheme.size());
  const std::size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  std::string path =
      path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (path[0] == '?') path.insert(0, "/");
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  HttpUrl url;
  url.url = std::string(text);
  url.path = path;
  if (!split_authority(authority, host, port, has_port) || host.empty() ||
      authority.find('@') != std::string_view::npos ||
      text.find_first_of(" \t\r\n") != std::string_view::npos) {
    error = expected;
    return std::nullopt;
  }
  url.host = std::string(host);
  if (has_port) {
    std::optional<std::uint16_t> number = parse_port(port);
    if (!number) {
      error = expected;
      return std::nullopt;
    }
    url.port = *number;
  }
  return url;
}

}  // namespace supd::config
