// Addresses of readiness and health probes: "host:port" for tcp, an http:// URL for http.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model.h"

namespace supd::config {

// "127.0.0.1:8080", "localhost:80", "[::1]:8080". On failure, nullopt and `error` says why.
std::optional<HostPort> parse_host_port(std::string_view text, std::string& error);

// "http://host[:port][/path][?query]". Only plain http: probes do not speak TLS.
std::optional<HttpUrl> parse_http_url(std::string_view text, std::string& error);

}  // namespace supd::config
