#include "audit/event.h"

#include <gmock/gmock.h>

namespace bulwark::audit {
namespace {

Event sample() {
  Event e;
  e.time_ms = 1700000000123;
  e.actor = "alice";
  e.client_address = "192.0.2.7";
  e.action = "manifest.push";
  e.resource = {"team/app", "sha256:" + std::string(64, 'a'), "v1"};
  e.outcome = Outcome::kDenied;
  e.reason = "scope repository:team/app:push not granted";
  return e;
}

TEST(AuditEvent, CanonicalJsonHasSortedKeysAndNoWhitespace) {
  EXPECT_EQ(canonical_json(sample()),
            R"({"action":"manifest.push","actor":"alice","client":"192.0.2.7",)"
            R"("outcome":"denied","reason":"scope repository:team/app:push not granted",)"
            R"("resource":{"digest":"sha256:)" +
                std::string(64, 'a') +
                R"(","repository":"team/app","tag":"v1"},"time_ms":1700000000123,"v":1})");
}

TEST(AuditEvent, EmptyEventStillHasEveryField) {
  EXPECT_EQ(canonical_json(Event{}),
            R"({"action":"","actor":"","client":"","outcome":"allowed","reason":"",)"
            R"("resource":{"digest":"","repository":"","tag":""},"time_ms":0,"v":1})");
}

TEST(AuditEvent, ParseRoundTripsTheCanonicalBody) {
  std::string body = canonical_json(sample());
  auto parsed = parse_event(body);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, sample());
  EXPECT_EQ(canonical_json(*parsed), body);
}

TEST(AuditEvent, ParseRefusesAnythingButTheCanonicalSpelling) {
  const std::string body = canonical_json(sample());
  const std::string variants[] = {
      "",
      "[]",
      body.substr(0, body.size() - 1),
      " " + body,  // whitespace
      std::string(R"({"actor":"alice","action":"manifest.push")") +
          body.substr(body.find(",\"client")),            // key order
      std::string(R"({"action":"x",)") + body.substr(1),  // duplicate key
      R"({"action":"","actor":"","client":"","outcome":"maybe","reason":"",)"
      R"("resource":{"digest":"","repository":"","tag":""},"time_ms":0,"v":1})",  // outcome
      R"({"action":"","actor":"","client":"","outcome":"allowed","reason":"",)"
      R"("resource":{"digest":"","repository":"","tag":""},"time_ms":0,"v":2})",  // version
      R"({"action":"","actor":"","client":"","outcome":"allowed","reason":"",)"
      R"("resource":{"digest":"","repository":""},"time_ms":0,"v":1})",  // missing field
      R"({"action":"","actor":"","client":"","extra":1,"outcome":"allowed","reason":"",)"
      R"("resource":{"digest":"","repository":"","tag":""},"time_ms":0,"v":1})",  // extra field
  };
  for (const std::string& variant : variants) {
    auto parsed = parse_event(variant);
    EXPECT_FALSE(parsed) << variant;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt);
    }
  }
}

TEST(AuditEvent, ReasonIsStoredVerbatim) {
  Event e = sample();
  e.reason =
      "quote \" backslash \\ bracket ] newline\nunicode \xC3\xA9\xE2\x9C\x93 tab\t"
      "token expired; basic authentication failed";
  Event clean = sanitize_event(e);
  EXPECT_EQ(clean.reason, e.reason);
  auto parsed = parse_event(canonical_json(clean));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->reason, e.reason);
}

TEST(AuditEvent, CredentialShapedValuesNeverReachTheBody) {
  const std::string secrets[] = {
      "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
      "login with Bearer dGhpcyBpcyBhIHRva2VuIHZhbHVl",
      "Authorization: Basic YWxpY2U6aHVudGVyMjIyMjI=",
      "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
      "password=hunter2",
      "client_secret: s3cr3t",
  };
  for (const std::string& secret : secrets) {
    EXPECT_TRUE(looks_like_secret(secret)) << secret;
    Event e = sample();
    e.reason = secret;
    e.actor = secret;
    std::vector<std::string> redacted;
    std::string body = canonical_json(sanitize_event(e, &redacted));
    EXPECT_EQ(body.find(secret), std::string::npos) << body;
    EXPECT_NE(body.find(kRedacted), std::string::npos);
    EXPECT_THAT(redacted, testing::ElementsAre("actor", "reason"));
  }
}

TEST(AuditEvent, OrdinaryValuesAreNotMistakenForSecrets) {
  for (const char* value :
       {"alice", "robot$team+ci", "token expired", "basic authentication failed",
        "insufficient scope: repository:team/app:push", "sha256:0123abcd", "eyJ", "password",
        "password reset requested", "192.0.2.7"}) {
    EXPECT_FALSE(looks_like_secret(value)) << value;
  }
}

TEST(AuditEvent, InvalidUtf8IsReplacedSoTheBodyStaysJson) {
  Event e = sample();
  e.actor = "bad\xFF\xC0\xAFname";  // a stray byte and an overlong '/'
  Event clean = sanitize_event(e);
  EXPECT_EQ(clean.actor, "bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDname");
  EXPECT_TRUE(parse_event(canonical_json(clean)));
}

TEST(AuditEvent, OutcomeNamesRoundTrip) {
  for (Outcome o : {Outcome::kAllowed, Outcome::kDenied, Outcome::kError}) {
    EXPECT_EQ(parse_outcome(outcome_name(o)), o);
  }
  EXPECT_EQ(parse_outcome("ok"), std::nullopt);
}

}  // namespace
}  // namespace bulwark::audit
