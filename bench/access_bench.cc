// What the registry's access gate costs per request, measured with Google Benchmark over the real
// SQLite identity store: the warm paths every request takes once a client is known (a Bearer
// token, HTTP Basic credentials, an anonymous client — each answered from the AccessService's
// caches on the I/O thread), and the cold paths a client pays once per token or per cache period
// (ES256 signature check plus revocation lookup, an argon2id password check). bench/run-all sets
// the warm Bearer figure against the server CPU time of one manifest GET measured in the same
// run.
#include <benchmark/benchmark.h>

#include "auth/access.h"
#include "auth/access_testing.h"
#include "common/clock.h"

namespace bulwark::auth {
namespace {

using testing::StoreFixture;

struct World {
  StoreFixture fixture;
  LoginThrottle throttle;
  Authenticator authenticator{fixture.store(), throttle};
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<AccessService> access;
  std::string token;

  World() {
    fixture.add_user("admin", "bench-password", /*admin=*/true, PasswordParams{});
    fixture.add_user("dev", "bench-password", false, PasswordParams{});
    fixture.add_project("bench", metadata::Environment::kDevelopment,
                        metadata::Visibility::kPublic);
    fixture.store().set_member(
        {"bench", metadata::PrincipalKind::kUser, "dev", metadata::Role::kDeveloper, 0});
    tokens = *TokenService::open(fixture.dir() / "token-key.pem", {},
                                 [this](std::string_view s, int64_t iat, int64_t now) {
                                   return authenticator.still_valid(s, iat, now);
                                 });
    access = std::make_unique<AccessService>(fixture.store(), authenticator, *tokens);
    Principal dev = *authenticator.principal_for("dev", unix_seconds());
    Scope pull{"repository", "", "bench/app", {"pull"}};
    token = tokens->issue(dev, std::span<const Scope>(&pull, 1), unix_seconds())->token;
  }
};

World& world() {
  static World w;
  return w;
}

const Need kPull{Need::Kind::kRepository, "bench/app", ActionSet(Action::kPull)};

void run_warm(benchmark::State& state, const Credentials& creds) {
  World& w = world();
  AccessRequest request{creds, "127.0.0.1", kPull, "http://127.0.0.1/auth/token"};
  if (!w.access->check(request, AuthTime::current()).allowed()) {
    state.SkipWithError("the warm-up request was refused");
    return;
  }
  for (auto _ : state) {
    // What the gate does per request: parse the header value, then answer from the caches.
    auto outcome = w.access->check_cached(request, unix_seconds());
    if (!outcome || !outcome->allowed()) state.SkipWithError("not answered from the cache");
    benchmark::DoNotOptimize(outcome);
  }
}

void BM_WarmBearer(benchmark::State& state) {
  Credentials creds = parse_authorization("Bearer " + world().token);
  run_warm(state, creds);
}
BENCHMARK(BM_WarmBearer);

void BM_WarmBasic(benchmark::State& state) {
  run_warm(state, parse_authorization("Basic ZGV2OmJlbmNoLXBhc3N3b3Jk"));  // dev:bench-password
}
BENCHMARK(BM_WarmBasic);

void BM_WarmAnonymousPublic(benchmark::State& state) { run_warm(state, Credentials{}); }
BENCHMARK(BM_WarmAnonymousPublic);

void BM_ParseBearerHeader(benchmark::State& state) {
  std::string header = "Bearer " + world().token;
  for (auto _ : state) benchmark::DoNotOptimize(parse_authorization(header));
}
BENCHMARK(BM_ParseBearerHeader);

void BM_ColdTokenVerify(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    auto claims = w.tokens->verify(w.token, unix_seconds());
    if (!claims) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_ColdTokenVerify);

void BM_ColdBearerCheck(benchmark::State& state) {
  World& w = world();
  Credentials creds = parse_authorization("Bearer " + w.token);
  AccessRequest request{creds, "127.0.0.1", kPull, "http://127.0.0.1/auth/token"};
  for (auto _ : state) {
    w.access->clear_cache();
    auto outcome = w.access->check(request, AuthTime::current());
    if (!outcome.allowed()) state.SkipWithError("refused");
  }
}
BENCHMARK(BM_ColdBearerCheck);

void BM_ColdBasicCheckArgon2id(benchmark::State& state) {
  World& w = world();
  Credentials creds = parse_authorization("Basic ZGV2OmJlbmNoLXBhc3N3b3Jk");
  AccessRequest request{creds, "127.0.0.1", kPull, "http://127.0.0.1/auth/token"};
  for (auto _ : state) {
    w.access->clear_cache();
    auto outcome = w.access->check(request, AuthTime::current());
    if (!outcome.allowed()) state.SkipWithError("refused");
  }
}
BENCHMARK(BM_ColdBasicCheckArgon2id)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
}  // namespace bulwark::auth

BENCHMARK_MAIN();
