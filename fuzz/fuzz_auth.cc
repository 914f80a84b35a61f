// libFuzzer target: everything the access layer parses from untrusted bytes — Authorization
// headers, token-endpoint scopes, network allow-lists, our own ES256 tokens, and other issuers'
// JWKS documents and ID tokens. The first byte picks the parser, the rest is its input. Besides
// the sanitizers it checks the promises callers rely on: parsed scopes print back to what
// parses to the same scope, nothing forged verifies, and a set always contains what it lists.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "invariant.h"
#include "auth/access.h"
#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/network.h"
#include "auth/scope.h"

namespace {

using namespace bulwark;
using namespace bulwark::auth;

using bulwark::fuzz::check;

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

void fuzz_authorization(std::string_view input) {
  Credentials c = parse_authorization(input);
  if (c.kind == Credentials::Kind::kBasic)
    check(c.username.find(':') == std::string::npos, "basic user has no ':'");
  if (c.kind == Credentials::Kind::kBearer) check(!c.secret.empty(), "bearer token not empty");
}

void fuzz_scopes(std::string_view input) {
  std::vector<std::string> params = lines(input);
  std::vector<std::string_view> views(params.begin(), params.end());
  ParsedScopes parsed = parse_scope_params(views);
  for (const Scope& s : parsed.scopes) {
    auto again = parse_scope(to_string(s));
    check(again.has_value(), "a parsed scope prints to a parsable scope");
    check(*again == s, "scope round trip");
    (void)bearer_challenge("https://r/auth/token", "bulwark", std::vector<Scope>{s});
  }
}

void fuzz_networks(std::string_view input) {
  std::vector<std::string> entries = lines(input);
  if (entries.empty()) return;
  std::string probe = entries.back();
  entries.pop_back();
  auto set = NetworkSet::parse(entries);
  if (!set) return;
  (void)set->contains(probe);
  for (const std::string& e : entries) {
    if (e.find('/') == std::string::npos) check(set->contains(e), "a listed address is contained");
  }
}

// Our own tokens: nothing but a token signed with the key verifies.
void fuzz_own_token(std::string_view input) {
  static const SigningKey key = *SigningKey::generate();
  static const KeySet keys = {{key.key_id(), key.public_key()}};
  TokenExpectations expect{"bulwark", "bulwark", 1'750'000'000, 60};
  auto claims = verify_jwt(input, keys, expect);
  check(!claims.has_value(), "a token not made with the key does not verify");
}

void fuzz_jwks(std::string_view input) {
  auto jwks = Jwks::parse(input);
  if (!jwks) return;
  static const std::string token =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  auto payload = verify_jws(token, *jwks);
  check(!payload.has_value(), "a garbage signature never verifies");
}

void fuzz_foreign_token(std::string_view input) {
  static const Jwks empty = *Jwks::parse(R"({"keys":[]})");
  auto payload = verify_jws(input, empty);
  check(!payload.has_value(), "nothing verifies against an empty key set");
}

using Fuzzer = void (*)(std::string_view);
constexpr Fuzzer kFuzzers[] = {fuzz_authorization, fuzz_scopes, fuzz_networks,
                               fuzz_own_token,     fuzz_jwks,   fuzz_foreign_token};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  kFuzzers[data[0] % std::size(kFuzzers)](input);
  return 0;
}
