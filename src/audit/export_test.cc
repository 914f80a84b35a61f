#include "audit/export.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <sstream>

#include "audit/audit_testing.h"

namespace bulwark::audit {
namespace {

using testing::HasSubstr;
using testing_support::AuditFixture;

class ExportTest : public AuditFixture {};

TEST_F(ExportTest, JsonLinesCarryEachEventWithItsChainLinks) {
  record_events(4);
  std::ostringstream out;
  auto count = export_json_lines(*store_, out, {std::nullopt, std::nullopt, 0, 3});
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 4);
  std::istringstream lines(out.str());
  std::string line;
  std::string prev;
  int64_t seq = 0;
  while (std::getline(lines, line)) {
    boost::json::value v = boost::json::parse(line);
    const auto& o = v.as_object();
    EXPECT_EQ(o.at("seq").as_int64(), ++seq);
    EXPECT_EQ(o.at("prev_hash").as_string(), prev);
    // The export alone re-verifies: the event serialised as exported is the hashed body.
    std::string body = boost::json::serialize(o.at("event"));
    EXPECT_EQ(std::string(o.at("hash").as_string()), chain_hash(prev, body));
    EXPECT_EQ(o.at("event").at("actor").as_string(), seq % 2 == 1 ? "alice" : "bob");
    prev = std::string(o.at("hash").as_string());
  }
  EXPECT_EQ(seq, 4);
}

TEST_F(ExportTest, SinceSkipsOlderRecords) {
  record_events(4);  // times 1700000000000, +1000, +2000, +3000 (clock ticks per record)
  std::ostringstream out;
  auto count = export_json_lines(*store_, out, {1700000002000, std::nullopt, 0, 1000});
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 2);
  EXPECT_THAT(out.str(), HasSubstr(R"("seq":3)"));
  EXPECT_THAT(out.str(), testing::Not(HasSubstr(R"("seq":2)")));
}

TEST(ParseTime, AcceptsUnixSecondsAndRfc3339) {
  EXPECT_EQ(*parse_time_ms("1700000000"), 1700000000000);
  EXPECT_EQ(*parse_time_ms("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*parse_time_ms("2023-11-14T22:13:20.25Z"), 1700000000250);
  EXPECT_EQ(*parse_time_ms("2023-11-15T00:13:20+02:00"), 1700000000000);
  for (const char* bad : {"", "yesterday", "2023-11-14", "2023-11-14T22:13:20",
                          "2023-13-01T00:00:00Z", "2023-11-14T22:13:20.Z", "-5"}) {
    EXPECT_FALSE(parse_time_ms(bad)) << bad;
  }
}

Event syslog_event() {
  Event e;
  e.time_ms = 1700000000250;
  e.actor = "alice";
  e.client_address = "192.0.2.7";
  e.action = "manifest.push";
  e.resource = {"team/app", "", "v1"};
  e.outcome = Outcome::kDenied;
  e.reason = R"(needs "push" on [team/app] \ sure)";
  return e;
}

TEST(Syslog, FormatsRfc5424WithEscapedParameters) {
  SyslogOptions options;
  options.hostname = "reg-1";
  EXPECT_EQ(format_syslog(syslog_event(), 7, "abc123", options),
            R"(<108>1 2023-11-14T22:13:20.250Z reg-1 bulwark - AUDIT [audit@32473 seq="7" )"
            R"(hash="abc123" actor="alice" client="192.0.2.7" action="manifest.push" )"
            R"(repository="team/app" digest="" tag="v1" outcome="denied" )"
            R"(reason="needs \"push\" on [team/app\] \\ sure"] )"
            R"(alice manifest.push team/app denied: needs "push" on [team/app] \ sure)");
}

TEST(Syslog, SeverityFollowsTheOutcome) {
  SyslogOptions options;
  options.hostname = "h";
  options.facility = 4;  // auth
  Event e = syslog_event();
  e.outcome = Outcome::kAllowed;
  EXPECT_THAT(format_syslog(e, 1, "h", options), testing::StartsWith("<38>1 "));
  e.outcome = Outcome::kError;
  EXPECT_THAT(format_syslog(e, 1, "h", options), testing::StartsWith("<35>1 "));
}

// A listening socket on 127.0.0.1 with an ephemeral port; reads time out instead of hanging.
class Listener {
 public:
  explicit Listener(int type) : fd_(::socket(AF_INET, type, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(::listen(fd_, 4), 0);
    }
    set_timeout(fd_);
  }
  ~Listener() { ::close(fd_); }
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  static void set_timeout(int fd) {
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

 private:
  int fd_;
  uint16_t port_ = 0;
};

TEST(Syslog, SendsOneDatagramPerMessageOverUdp) {
  Listener listener(SOCK_DGRAM);
  auto sender = SyslogSender::connect(SyslogTransport::kUdp, "127.0.0.1", listener.port());
  ASSERT_TRUE(sender) << sender.error().message;
  const std::string first = format_syslog(syslog_event(), 1, "h1");
  const std::string second = format_syslog(syslog_event(), 2, "h2");
  ASSERT_TRUE((*sender)->send(first));
  ASSERT_TRUE((*sender)->send(second));
  for (const std::string& expected : {first, second}) {
    char buf[4096];
    ssize_t n = ::recv(listener.fd(), buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), expected);
  }
}

TEST(Syslog, FramesMessagesByOctetCountingOverTcp) {
  Listener listener(SOCK_STREAM);
  auto sender = SyslogSender::connect(SyslogTransport::kTcp, "localhost", listener.port());
  ASSERT_TRUE(sender) << sender.error().message;
  const std::string first = format_syslog(syslog_event(), 1, "h1");
  const std::string second = "multi\nline ] message";
  ASSERT_TRUE((*sender)->send(first));
  ASSERT_TRUE((*sender)->send(second));
  const std::string expected =
      std::to_string(first.size()) + " " + first + std::to_string(second.size()) + " " + second;

  int conn = ::accept(listener.fd(), nullptr, nullptr);
  ASSERT_GE(conn, 0);
  Listener::set_timeout(conn);
  std::string received;
  while (received.size() < expected.size()) {
    char buf[4096];
    ssize_t n = ::recv(conn, buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<size_t>(n));
  }
  ::close(conn);
  EXPECT_EQ(received, expected);
}

TEST(Syslog, ConnectFailsWhenNobodyListens) {
  uint16_t port = 0;
  {
    Listener closed(SOCK_STREAM);
    port = closed.port();
  }
  auto sender = SyslogSender::connect(SyslogTransport::kTcp, "127.0.0.1", port);
  ASSERT_FALSE(sender);
  EXPECT_EQ(sender.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace bulwark::audit
