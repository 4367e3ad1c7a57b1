// The request parser and the line encoders: every command, every kind of mistake.
#include "control/protocol.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace supd::control {
namespace {

using nlohmann::json;

Request parse_ok(const std::string& line) {
  ParseResult r = parse_request(line);
  EXPECT_TRUE(r.ok()) << line << " -> " << r.error.message;
  return r.ok() ? *r.request : Request{};
}

ControlError parse_error(const std::string& line) {
  ParseResult r = parse_request(line);
  EXPECT_FALSE(r.ok()) << line;
  return r.error;
}

TEST(ParseRequest, PingAndFriendsTakeNoFields) {
  for (const char* cmd : {"ping", "version", "reload", "shutdown"}) {
    Request r = parse_ok(std::string(R"({"v":1,"cmd":")") + cmd + R"("})");
    EXPECT_STREQ(command_name(r.command), cmd);
    EXPECT_TRUE(r.id.is_null());
  }
}

TEST(ParseRequest, IdIsKeptAsSent) {
  EXPECT_EQ(parse_ok(R"({"v":1,"id":7,"cmd":"ping"})").id, json(7));
  EXPECT_EQ(parse_ok(R"({"v":1,"id":-3,"cmd":"ping"})").id, json(-3));
  EXPECT_EQ(parse_ok(R"({"v":1,"id":2.5,"cmd":"ping"})").id, json(2.5));
}

TEST(ParseRequest, StatusNamesAreOptional) {
  EXPECT_TRUE(parse_ok(R"({"v":1,"cmd":"status"})").names.empty());
  Request r = parse_ok(R"({"v":1,"cmd":"status","names":["web","db"]})");
  EXPECT_EQ(r.names, (std::vector<std::string>{"web", "db"}));
}

TEST(ParseRequest, StartStopRestartTakeNamesWaitAndTimeout) {
  for (const char* cmd : {"start", "stop", "restart"}) {
    Request r = parse_ok(std::string(R"({"v":1,"cmd":")") + cmd +
                         R"(","names":["web"],"wait":false,"timeout_ms":1500})");
    EXPECT_STREQ(command_name(r.command), cmd);
    EXPECT_EQ(r.names, std::vector<std::string>{"web"});
    EXPECT_FALSE(r.wait);
    EXPECT_EQ(r.timeout_ms, 1500);

    Request defaults = parse_ok(std::string(R"({"v":1,"cmd":")") + cmd + R"(","names":["all"]})");
    EXPECT_TRUE(defaults.all());
    EXPECT_TRUE(defaults.wait);
    EXPECT_EQ(defaults.timeout_ms, std::nullopt);
  }
}

TEST(ParseRequest, SignalAcceptsNamesWithOrWithoutSigInAnyCase) {
  for (const char* name : {"TERM", "SIGTERM", "term", "sigterm"}) {
    Request r = parse_ok(std::string(R"({"v":1,"cmd":"signal","names":["web"],"signal":")") + name +
                         R"("})");
    EXPECT_EQ(r.signal, os::Signal::Term);
  }
  EXPECT_EQ(parse_ok(R"({"v":1,"cmd":"signal","names":["a"],"signal":"usr1"})").signal,
            os::Signal::Usr1);
}

TEST(ParseRequest, LogsTakesOneNameAndItsOptions) {
  Request r = parse_ok(R"({"v":1,"cmd":"logs","names":["web"]})");
  EXPECT_EQ(r.lines, 50);
  EXPECT_FALSE(r.follow);
  EXPECT_EQ(r.stream, LogStream::Stdout);
  r = parse_ok(R"({"v":1,"cmd":"logs","names":["web"],"lines":5,"follow":true,"stream":"stderr"})");
  EXPECT_EQ(r.lines, 5);
  EXPECT_TRUE(r.follow);
  EXPECT_EQ(r.stream, LogStream::Stderr);
}

TEST(ParseRequest, WaitTakesNamesStateAndTimeout) {
  for (const std::string& state : service_state_names()) {
    Request r = parse_ok(R"({"v":1,"cmd":"wait","names":["web"],"state":")" + state +
                         R"(","timeout_ms":0})");
    EXPECT_EQ(r.state, state);
    EXPECT_EQ(r.timeout_ms, 0);
  }
}

TEST(ParseRequest, EventsMayFilterByName) {
  EXPECT_TRUE(parse_ok(R"({"v":1,"cmd":"events"})").names.empty());
  EXPECT_EQ(parse_ok(R"({"v":1,"cmd":"events","names":["web"]})").names.size(), 1u);
  EXPECT_TRUE(is_streaming(Command::Events));
  EXPECT_TRUE(is_streaming(Command::Logs));
  EXPECT_FALSE(is_streaming(Command::Start));
}

TEST(ParseRequest, MalformedJsonIsABadRequestSayingWhere) {
  for (const char* line :
       {"", "{", "hello", "{\"v\":1,}", "{\"v\":1 \"cmd\":\"ping\"}", "\xff\xfe"}) {
    ControlError e = parse_error(line);
    EXPECT_EQ(e.code, ErrorCode::BadRequest) << line;
    EXPECT_EQ(e.message.rfind("malformed JSON: parse error at", 0), 0u) << e.message;
  }
}

TEST(ParseRequest, DeepNestingWithinTheLineLimitIsHarmless) {
  const std::size_t depth = kMaxRequestLine / 2;
  EXPECT_EQ(parse_error(std::string(depth, '[') + std::string(depth, ']')).message,
            "a request must be a JSON object, got a list");
  std::string objects;
  for (int i = 0; i < 6000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(6000, '}');
  EXPECT_EQ(parse_error(objects).code, ErrorCode::BadRequest);
  EXPECT_EQ(parse_error(std::string(kMaxRequestLine, '[')).code, ErrorCode::BadRequest);
}

TEST(ParseRequest, OnlyObjectsAreRequests) {
  EXPECT_EQ(parse_error("[1,2]").message, "a request must be a JSON object, got a list");
  EXPECT_EQ(parse_error("\"ping\"").message,
            "a request must be a JSON object, got string \"ping\"");
  EXPECT_EQ(parse_error("42").code, ErrorCode::BadRequest);
}

TEST(ParseRequest, VersionIsRequiredAndMustBeOne) {
  ControlError missing = parse_error(R"({"cmd":"ping"})");
  EXPECT_EQ(missing.code, ErrorCode::BadRequest);
  EXPECT_EQ(missing.message, "missing field \"v\" (the protocol version; this supd speaks 1)");

  ControlError two = parse_error(R"({"v":2,"cmd":"ping"})");
  EXPECT_EQ(two.code, ErrorCode::UnsupportedVersion);
  EXPECT_EQ(two.message, "protocol version 2 is not supported; this supd speaks version 1");

  ControlError text = parse_error(R"({"v":"1","cmd":"ping"})");
  EXPECT_EQ(text.code, ErrorCode::BadRequest);
  EXPECT_EQ(text.message, "field \"v\": expected the protocol version 1, got string \"1\"");
}

TEST(ParseRequest, ErrorsEchoTheIdWhenItIsReadable) {
  ParseResult r = parse_request(R"({"v":9,"id":12,"cmd":"ping"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.id, json(12));
  r = parse_request(R"({"v":1,"id":"x","cmd":"ping"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.id.is_null());
  EXPECT_EQ(r.error.message, "field \"id\": expected a number, got string \"x\"");
}

TEST(ParseRequest, UnknownCommandListsTheSupportedOnesAndSuggestsOne) {
  ControlError e = parse_error(R"({"v":1,"cmd":"stauts"})");
  EXPECT_EQ(e.code, ErrorCode::UnknownCommand);
  EXPECT_EQ(e.message,
            "unknown command \"stauts\"; supported: status, start, stop, restart, signal, reload, "
            "logs, wait, events, shutdown, ping, version");
  EXPECT_EQ(e.did_you_mean, "status");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"frobnicate"})").did_you_mean, std::nullopt);
}

TEST(ParseRequest, CommandMustBeAString) {
  EXPECT_EQ(parse_error(R"({"v":1})").message,
            "missing field \"cmd\" (one of status, start, stop, restart, signal, reload, logs, "
            "wait, events, shutdown, ping, version)");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":3})").message,
            "field \"cmd\": expected a command name, got number 3");
}

TEST(ParseRequest, UnknownFieldsAreRefusedNamingWhatTheCommandTakes) {
  ControlError e = parse_error(R"({"v":1,"cmd":"start","names":["a"],"wiat":true})");
  EXPECT_EQ(e.code, ErrorCode::BadRequest);
  EXPECT_EQ(e.message, "unknown field \"wiat\" for \"start\" (it takes: names, wait, timeout_ms)");
  EXPECT_EQ(e.did_you_mean, "wait");

  // A field of another command is unknown here too.
  e = parse_error(R"({"v":1,"cmd":"status","follow":true})");
  EXPECT_EQ(e.message, "unknown field \"follow\" for \"status\" (it takes: names)");

  e = parse_error(R"({"v":1,"cmd":"ping","names":[]})");
  EXPECT_EQ(e.message, "unknown field \"names\" for \"ping\" (it takes no fields)");
}

TEST(ParseRequest, WrongTypesSayWhichFieldAndWhatWasExpected) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {R"({"v":1,"cmd":"start","names":"web"})",
       "field \"names\": expected a list of service names, or [\"all\"], got string \"web\""},
      {R"({"v":1,"cmd":"start","names":["web",3]})",
       "field \"names[1]\": expected a service name, got number 3"},
      {R"({"v":1,"cmd":"start","names":[""]})",
       "field \"names[0]\": expected a service name, got an empty string"},
      {R"({"v":1,"cmd":"start","names":["a"],"wait":"yes"})",
       "field \"wait\": expected true or false, got string \"yes\""},
      {R"({"v":1,"cmd":"start","names":["a"],"timeout_ms":"5s"})",
       "field \"timeout_ms\": expected a whole number of milliseconds (0 or more), got string "
       "\"5s\""},
      {R"({"v":1,"cmd":"start","names":["a"],"timeout_ms":-1})",
       "field \"timeout_ms\": expected a whole number of milliseconds (0 or more), got number -1"},
      {R"({"v":1,"cmd":"start","names":["a"],"timeout_ms":1.5})",
       "field \"timeout_ms\": expected a whole number of milliseconds (0 or more), got number "
       "1.5"},
      {R"({"v":1,"cmd":"logs","names":["a"],"lines":null})",
       "field \"lines\": expected a whole number of lines (0 or more), got null"},
      {R"({"v":1,"cmd":"logs","names":["a"],"follow":1})",
       "field \"follow\": expected true or false, got number 1"},
      {R"({"v":1,"cmd":"logs","names":["a"],"stream":"stdin"})",
       "field \"stream\": expected \"stdout\" or \"stderr\", got string \"stdin\""},
      {R"({"v":1,"cmd":"signal","names":["a"],"signal":15})",
       "field \"signal\": expected a signal name such as \"TERM\", got number 15"},
      {R"({"v":1,"cmd":"signal","names":["a"],"signal":"BOGUS"})",
       "field \"signal\": unknown signal \"BOGUS\" (expected one of HUP, INT, QUIT, KILL, USR1, "
       "USR2, TERM, CONT, STOP, WINCH, ALRM; with or without SIG)"},
      {R"({"v":1,"cmd":"wait","names":["a"],"state":"runing"})",
       "field \"state\": expected one of stopped, starting, running, stopping, backoff, exited, "
       "fatal, got string \"runing\""},
      {R"({"v":1,"cmd":"wait","names":["a"],"state":{}})",
       "field \"state\": expected one of stopped, starting, running, stopping, backoff, exited, "
       "fatal, got an object"},
  };
  for (const Case& c : cases) {
    ControlError e = parse_error(c.line);
    EXPECT_EQ(e.code, ErrorCode::BadRequest) << c.line;
    EXPECT_EQ(e.message, c.message) << c.line;
  }
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"wait","names":["a"],"state":"runing"})").did_you_mean,
            "running");
}

TEST(ParseRequest, RequiredFieldsMustBeThere) {
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"start"})").message,
            "missing field \"names\" for \"start\" (expected a list of service names, or "
            "[\"all\"])");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"start","names":[]})").message,
            "field \"names\": start needs at least one service name (or [\"all\"])");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"signal","names":["a"]})").message,
            "missing field \"signal\" for \"signal\" (expected a signal name such as \"TERM\")");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"wait","names":["a"]})").message,
            "missing field \"state\" for \"wait\" (expected a service state)");
}

TEST(ParseRequest, AllStandsAlone) {
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"stop","names":["all","web"]})").message,
            "field \"names\": \"all\" cannot be combined with other names");
}

TEST(ParseRequest, LogsNeedsExactlyOneService) {
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"logs","names":["a","b"]})").message,
            "field \"names\": logs shows one service; expected exactly one name, got 2");
  EXPECT_EQ(parse_error(R"({"v":1,"cmd":"logs","names":["all"]})").message,
            "field \"names\": logs shows one service; expected exactly one name, got 1 (\"all\")");
}

TEST(RequestToJson, RoundTripsEveryCommand) {
  const char* lines[] = {
      R"({"v":1,"id":1,"cmd":"status","names":["a"]})",
      R"({"v":1,"id":2,"cmd":"start","names":["a","b"],"wait":false,"timeout_ms":10})",
      R"({"v":1,"cmd":"stop","names":["all"]})",
      R"({"v":1,"cmd":"restart","names":["x"],"timeout_ms":0})",
      R"({"v":1,"cmd":"signal","names":["x"],"signal":"SIGHUP"})",
      R"({"v":1,"cmd":"reload"})",
      R"({"v":1,"cmd":"logs","names":["x"],"lines":3,"follow":true,"stream":"stderr"})",
      R"({"v":1,"cmd":"wait","names":["x"],"state":"fatal","timeout_ms":100})",
      R"({"v":1,"cmd":"events"})",
      R"({"v":1,"cmd":"shutdown"})",
      R"({"v":1,"cmd":"ping"})",
      R"({"v":1,"cmd":"version"})",
  };
  for (const char* line : lines) {
    Request first = parse_ok(line);
    std::string encoded = encode_request(first);
    ASSERT_EQ(encoded.back(), '\n');
    Request second = parse_ok(encoded.substr(0, encoded.size() - 1));
    EXPECT_EQ(request_to_json(first), request_to_json(second)) << line;
    EXPECT_EQ(second.id, first.id);
    EXPECT_EQ(second.command, first.command);
  }
}

TEST(Encode, OkErrorAndEventLines) {
  EXPECT_EQ(encode_ok(5, json{{"pong", true}}),
            "{\"v\":1,\"id\":5,\"ok\":true,\"result\":{\"pong\":true}}\n");
  EXPECT_EQ(encode_ok(nullptr, nullptr), "{\"v\":1,\"ok\":true,\"result\":{}}\n");
  ControlError error{ErrorCode::NoSuchService, "no service named \"wbe\"", "web", {}};
  EXPECT_EQ(
      encode_error(3, error),
      "{\"v\":1,\"id\":3,\"ok\":false,\"error\":{\"code\":\"no_such_service\",\"did_you_mean\":"
      "\"web\",\"message\":\"no service named \\\"wbe\\\"\"}}\n");
  ControlError config{ErrorCode::ConfigError, "bad config", std::nullopt, {"a.yaml:1:1: x"}};
  EXPECT_EQ(json::parse(encode_error(nullptr, config))["error"]["details"],
            json::array({"a.yaml:1:1: x"}));
  EXPECT_EQ(encode_event(9, json{{"to", "running"}}),
            "{\"v\":1,\"id\":9,\"event\":{\"to\":\"running\"}}\n");
}

TEST(Encode, InvalidUtf8IsReplacedNotThrown) {
  ControlError error{ErrorCode::Failed, std::string("bad \xff byte"), std::nullopt, {}};
  std::string line = encode_error(nullptr, error);
  EXPECT_TRUE(json::accept(line)) << line;
}

TEST(ErrorCodes, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::Busy); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(parse_error_code(error_code_name(code)), code);
  }
  EXPECT_EQ(parse_error_code("something_new"), ErrorCode::Failed);
  EXPECT_STREQ(error_code_name(ErrorCode::PermissionDenied), "permission_denied");
  EXPECT_STREQ(error_code_name(ErrorCode::TooLarge), "too_large");
}

TEST(ParseResponse, ReadsEachKindOfLine) {
  Response ok = parse_response(R"({"v":1,"id":4,"ok":true,"result":{"a":1}})");
  EXPECT_EQ(ok.kind, Response::Kind::Ok);
  EXPECT_EQ(ok.id, json(4));
  EXPECT_EQ(ok.result, (json{{"a", 1}}));

  Response err = parse_response(
      R"({"v":1,"ok":false,"error":{"code":"timeout","message":"slow","details":["x"]}})");
  EXPECT_EQ(err.kind, Response::Kind::Error);
  EXPECT_EQ(err.error.code, ErrorCode::Timeout);
  EXPECT_EQ(err.error.message, "slow");
  EXPECT_EQ(err.error.details, std::vector<std::string>{"x"});

  Response event = parse_response(R"({"v":1,"id":2,"event":{"to":"fatal"}})");
  EXPECT_EQ(event.kind, Response::Kind::Event);
  EXPECT_EQ(event.event["to"], "fatal");

  for (const char* bad : {"nope", "[]", R"({"v":2,"ok":true})", R"({"v":1})",
                          R"({"v":1,"ok":false,"error":{"code":5,"message":[]}})"}) {
    Response r = parse_response(bad);
    EXPECT_EQ(r.kind, Response::Kind::Error) << bad;
    EXPECT_TRUE(r.raw.is_null()) << bad;
  }
}

}  // namespace
}  // namespace supd::control
