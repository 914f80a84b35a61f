// OIDC against a real OpenID provider: node tests/oidc/provider.js (the npm oidc-provider package),
// started by the test on a free 127.0.0.1 port. Also the JWKS verifier on hand-made keys and
// tokens, and the outbound HTTP client against the same provider.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "common/glob.h"
#include "auth/jwks.h"
#include "auth/oidc.h"
#include "common/http_client.h"
#include "common/temp_dir.h"

extern char** environ;

namespace bulwark::auth {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kClientId = "bulwark-test";
constexpr std::string_view kClientSecret = "s3cret-Value+/with=odd&chars";
constexpr std::string_view kRedirectUri = "http://127.0.0.1:9/oidc/callback";
constexpr auto kStartTimeout = std::chrono::seconds(60);

// ---- the provider process -----------------------------------------------------------------------

std::string find_on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// One `node provider.js` child. Its stdin is a pipe we hold: if this test process dies, the pipe
// closes and provider.js exits, so no provider outlives its test.
class ProviderProcess {
 public:
  // Starts the provider and waits (bounded) until its discovery document answers. On failure
  // returns an explanation; the caller fails the test with it.
  std::string start() {
    const char* source = std::getenv("BULWARK_SOURCE_DIR");
    if (source == nullptr) return "BULWARK_SOURCE_DIR is not set (run the test through ctest)";
    fs::path dir = fs::path(source) / "tests" / "oidc";
    std::string node = find_on_path("node");
    if (node.empty()) return "node is not installed: run scripts/install-deps";
    if (!fs::exists(dir / "node_modules" / "oidc-provider" / "package.json")) {
      return "the npm packages of tests/oidc are not installed: run scripts/install-deps";
    }
    log_ = std::make_unique<TempDir>("bulwark-oidc-provider");
    std::string log_file = log_->file("stderr.log");

    int out[2], in[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) return "pipe failed";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    std::string script = (dir / "provider.js").string();
    std::vector<std::string> args = {node, script, "--port", "0", "--client-id",
                                     std::string(kClientId), "--redirect-uri",
                                     std::string(kRedirectUri)};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The secret goes through the environment, not the command line `ps` shows.
    std::string secret_env = "OIDC_CLIENT_SECRET=" + std::string(kClientSecret);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(secret_env.data());
    envp.push_back(nullptr);
    int rc = posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(in[0]);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    if (rc != 0) {
      pid_ = -1;
      return "cannot start node: " + std::string(strerror(rc));
    }

    // The first stdout line is "PORT <n>", written once the server listens.
    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    std::string line;
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{stdout_fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return "provider did not start in time; its stderr:\n" + stderr_text();
      }
      char buf[256];
      ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) return "provider exited before listening; its stderr:\n" + stderr_text();
      line.append(buf, static_cast<size_t>(n));
    }
    if (!line.starts_with("PORT ")) return "unexpected provider output: " + line;
    port_ = std::stoi(line.substr(5));
    issuer_ = "http://127.0.0.1:" + std::to_string(port_);

    // Bounded polling until discovery answers (it normally does at once).
    for (int attempt = 0;; ++attempt) {
      HttpClientRequest r;
      r.url = issuer_ + "/.well-known/openid-configuration";
      auto response = http_fetch(r);
      if (response && response->status == 200) return "";
      if (std::chrono::steady_clock::now() > deadline) {
        return "provider discovery never answered; its stderr:\n" + stderr_text();
      }
      pollfd p{stdout_fd_, POLLIN, 0};
      ::poll(&p, 1, 20 * std::min(attempt + 1, 10));  // back off while it boots
    }
  }

  ~ProviderProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }

  const std::string& issuer() const { return issuer_; }

  // GET /test/counters -> the number of JWKS fetches the provider has served.
  int jwks_fetches() const {
    HttpClientRequest r;
    r.url = issuer_ + "/test/counters";
    auto response = http_fetch(r);
    if (!response || response->status != 200) return -1;
    return static_cast<int>(json::parse(response->body).as_object().at("jwks").as_int64());
  }

  bool rotate_keys() const {
    HttpClientRequest r;
    r.method = "POST";
    r.url = issuer_ + "/test/rotate-keys";
    auto response = http_fetch(r);
    return response && response->status == 204;
  }

 private:
  std::string stderr_text() const {
    std::ifstream in(log_->file("stderr.log"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string issuer_;
  std::unique_ptr<TempDir> log_;
};

// ---- a browser that follows redirects with cookies ---------------------------------------------

struct Callback {
  std::string code;
  std::string state;
  std::string error;
};

// Follows `url` through the provider's redirects (keeping cookies) until it redirects to
// kRedirectUri, and returns that callback's parameters.
Result<Callback> browse_to_callback(std::string url) {
  std::map<std::string, std::string> cookies;
  for (int hop = 0; hop < 15; ++hop) {
    HttpClientRequest request;
    request.url = url;
    std::string cookie_header;
    for (const auto& [name, value] : cookies) {
      cookie_header += (cookie_header.empty() ? "" : "; ") + name + "=" + value;
    }
    if (!cookie_header.empty()) request.headers.emplace_back("Cookie", cookie_header);
    BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response, http_fetch(request));
    for (const auto& [name, value] : response.headers) {
      if (name != "set-cookie") continue;
      std::string pair = value.substr(0, value.find(';'));
      size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      std::string cookie = pair.substr(0, eq), cookie_value = pair.substr(eq + 1);
      if (cookie_value.empty() || value.find("expires=Thu, 01 Jan 1970") != std::string::npos) {
        cookies.erase(cookie);
      } else {
        cookies[cookie] = cookie_value;
      }
    }
    auto location = response.header("location");
    if (response.status / 100 != 3 || !location) {
      return fail(ErrorCode::kInternal, "browser stopped at HTTP " +
                                            std::to_string(response.status) + ": " +
                                            response.body.substr(0, 300));
    }
    boost::urls::url next;
    auto base = boost::urls::parse_uri(url);
    auto ref = boost::urls::parse_uri_reference(*location);
    if (!base || !ref) return fail(ErrorCode::kInternal, "bad redirect");
    boost::urls::resolve(*base, *ref, next);
    url = std::string(next.buffer());
    if (url.starts_with(kRedirectUri)) {
      Callback cb;
      for (auto param : next.params()) {
        if (param.key == "code") cb.code = param.value;
        if (param.key == "state") cb.state = param.value;
        if (param.key == "error") cb.error = param.value;
      }
      return cb;
    }
  }
  return fail(ErrorCode::kInternal, "too many redirects");
}

// ---- token crafting -----------------------------------------------------------------------------

struct TokenParts {
  json::object header;
  json::object claims;
  std::string signature;  // base64url
};

TokenParts split(const std::string& token) {
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  TokenParts p;
  p.header = json::parse(*base64url_decode(token.substr(0, d1))).as_object();
  p.claims = json::parse(*base64url_decode(token.substr(d1 + 1, d2 - d1 - 1))).as_object();
  p.signature = token.substr(d2 + 1);
  return p;
}

std::string encode_part(const json::object& o) { return base64url_encode(json::serialize(o)); }

std::string join(const json::object& header, const json::object& claims, std::string_view sig) {
  return encode_part(header) + "." + encode_part(claims) + "." + std::string(sig);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- fixture ------------------------------------------------------------------------------------

OidcOptions options_for(std::string_view client_suffix = "") {
  OidcOptions o;
  o.client_id = std::string(kClientId) + std::string(client_suffix);
  o.client_secret = std::string(kClientSecret);
  o.client_auth = client_suffix == "-post" ? OidcClientAuth::kClientSecretPost
                                           : OidcClientAuth::kClientSecretBasic;
  o.scopes = {"openid", "email", "profile", "groups", "ci"};
  o.allow_http = true;
  return o;
}

class OidcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    provider_ = new ProviderProcess();
    start_error_ = provider_->start();
  }
  static void TearDownTestSuite() {
    delete provider_;
    provider_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(start_error_, "") << start_error_; }

  const std::string& issuer() const { return provider_->issuer(); }

  std::shared_ptr<OidcProvider> discover(OidcOptions options = options_for()) {
    auto p = OidcProvider::discover(issuer(), std::move(options));
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : nullptr;
  }

  // Logs `account` in through the provider and returns the callback plus what begin_login made.
  std::pair<Callback, PendingLogin> login(const OidcProvider& op, std::string_view account) {
    std::vector<std::pair<std::string, std::string>> extra = {{"login_hint", std::string(account)}};
    auto start = op.begin_login(kRedirectUri, extra);
    EXPECT_TRUE(start) << start.error().message;
    if (!start) return {};
    auto cb = browse_to_callback(start->authorization_url);
    EXPECT_TRUE(cb) << cb.error().message;
    if (!cb) return {};
    EXPECT_EQ(cb->error, "");
    EXPECT_EQ(cb->state, start->pending.state);
    return {*cb, start->pending};
  }

  // A fresh raw ID token for `account`: logs in and exchanges the code at the token endpoint
  // itself, as an independent client would (with the client auth method op is registered for).
  std::string id_token(const OidcProvider& op, std::string_view account) {
    auto [cb, pending] = login(op, account);
    std::vector<std::pair<std::string, std::string>> form = {
        {"grant_type", "authorization_code"},
        {"code", cb.code},
        {"redirect_uri", std::string(kRedirectUri)},
        {"code_verifier", pending.code_verifier}};
    HttpClientRequest r;
    r.method = "POST";
    r.url = op.metadata().token_endpoint;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (op.options().client_auth == OidcClientAuth::kClientSecretPost) {
      form.emplace_back("client_id", op.options().client_id);
      form.emplace_back("client_secret", std::string(kClientSecret));
    } else {
      std::string creds = percent_encode(op.options().client_id) + ":" + percent_encode(kClientSecret);
      std::string b64(4 * ((creds.size() + 2) / 3) + 1, '\0');
      int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                              reinterpret_cast<const unsigned char*>(creds.data()),
                              static_cast<int>(creds.size()));
      b64.resize(static_cast<size_t>(n));
      r.headers.emplace_back("Authorization", "Basic " + b64);
    }
    r.body = form_urlencode(form);
    auto response = http_fetch(r);
    EXPECT_TRUE(response && response->status == 200)
        << (response ? response->body : response.error().message);
    if (!response || response->status != 200) return "";
    return std::string(json::parse(response->body).as_object().at("id_token").as_string());
  }

  static ProviderProcess* provider_;
  static std::string start_error_;
};
ProviderProcess* OidcTest::provider_ = nullptr;
std::string OidcTest::start_error_;

// ---- discovery ----------------------------------------------------------------------------------

TEST_F(OidcTest, DiscoveryReadsEndpointsAndKeys) {
  auto op = discover();
  ASSERT_TRUE(op);
  EXPECT_EQ(op->metadata().issuer, issuer());
  EXPECT_EQ(op->metadata().authorization_endpoint, issuer() + "/auth");
  EXPECT_EQ(op->metadata().token_endpoint, issuer() + "/token");
  EXPECT_EQ(op->metadata().jwks_uri, issuer() + "/jwks");
}

TEST_F(OidcTest, DiscoveryRefusesAnIssuerThatDiffers) {
  // The provider calls itself http://127.0.0.1:<port>; a configured trailing slash is another
  // issuer (OIDC Discovery §4.3: exact match).
  auto op = OidcProvider::discover(issuer() + "/", options_for());
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(op.error().message, HasSubstr("not the configured"));
}

TEST_F(OidcTest, DiscoveryRefusesHttpUnlessAllowed) {
  OidcOptions options = options_for();
  options.allow_http = false;
  auto op = OidcProvider::discover(issuer(), options);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(op.error().message, HasSubstr("https"));
}

TEST_F(OidcTest, DiscoveryOfAnUnreachableProviderIsUnavailable) {
  auto op = OidcProvider::discover("http://127.0.0.1:1", options_for());
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::kUnavailable);
}

// ---- people: the authorization-code flow --------------------------------------------------------

TEST_F(OidcTest, BeginLoginBuildsAPkceAuthorizationUrl) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto a = op->begin_login(kRedirectUri);
  auto b = op->begin_login(kRedirectUri);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->pending.state, b->pending.state);
  EXPECT_NE(a->pending.nonce, b->pending.nonce);
  EXPECT_NE(a->pending.code_verifier, b->pending.code_verifier);
  EXPECT_GE(a->pending.code_verifier.size(), 43u);
  auto url = boost::urls::parse_uri(a->authorization_url);
  ASSERT_TRUE(url);
  std::map<std::string, std::string> params;
  for (auto p : url->params()) params[p.key] = p.value;
  EXPECT_EQ(params["response_type"], "code");
  EXPECT_EQ(params["client_id"], kClientId);
  EXPECT_EQ(params["redirect_uri"], kRedirectUri);
  EXPECT_EQ(params["scope"], "openid email profile groups ci");
  EXPECT_EQ(params["state"], a->pending.state);
  EXPECT_EQ(params["nonce"], a->pending.nonce);
  EXPECT_EQ(params["code_challenge_method"], "S256");
  EXPECT_FALSE(params["code_challenge"].empty());
  EXPECT_EQ(a->authorization_url.find(a->pending.code_verifier), std::string::npos);

  std::vector<std::pair<std::string, std::string>> clash = {{"state", "mine"}};
  EXPECT_FALSE(op->begin_login(kRedirectUri, clash));
}

TEST_F(OidcTest, FullLoginYieldsIdentityWithGroups) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  auto identity = op->finish_login(cb.code, cb.state, pending, kRedirectUri, now_s());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->issuer, issuer());
  EXPECT_EQ(identity->subject, "alice");
  EXPECT_EQ(identity->username, "alice");
  EXPECT_EQ(identity->email, "alice@example.test");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_THAT(identity->groups, ::testing::ElementsAre("platform-admins", "developers"));
  EXPECT_EQ(identity->claims.nonce, pending.nonce);
  EXPECT_THAT(identity->claims.audience, ::testing::ElementsAre(std::string(kClientId)));
  EXPECT_GT(identity->claims.expires_at, now_s());
}

TEST_F(OidcTest, ClientSecretPostAndASingleStringGroup) {
  auto op = discover(options_for("-post"));  // client_secret_post, PS256 ID tokens
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "bob");
  auto identity = op->finish_login(cb.code, cb.state, pending, kRedirectUri, now_s());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->username, "bob");
  EXPECT_FALSE(identity->email_verified);
  EXPECT_THAT(identity->groups, ::testing::ElementsAre("auditors"));
}

TEST_F(OidcTest, EveryProviderKeyTypeVerifies) {
  for (std::string_view client : {"", "-post", "-es256", "-es384", "-eddsa"}) {
    SCOPED_TRACE(client);
    auto op = discover(options_for(client));
    ASSERT_TRUE(op);
    std::string token = id_token(*op, "alice");
    ASSERT_FALSE(token.empty());
    auto claims = op->verify_id_token(token, op->options().client_id, std::nullopt, now_s());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject, "alice");
  }
}

TEST_F(OidcTest, UsernameClaimIsConfigurable) {
  OidcOptions options = options_for();
  options.username_claim = "email";
  auto op = discover(options);
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  auto identity = op->finish_login(cb.code, cb.state, pending, kRedirectUri, now_s());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->username, "alice@example.test");

  options.username_claim = "no_such_claim";
  auto strict = discover(options);
  ASSERT_TRUE(strict);
  auto [cb2, pending2] = login(*strict, "alice");
  auto refused = strict->finish_login(cb2.code, cb2.state, pending2, kRedirectUri, now_s());
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("no_such_claim"));
}

TEST_F(OidcTest, NonceMismatchIsRefused) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  PendingLogin other = pending;
  other.nonce = "0123456789abcdef0123456789abcdef";
  auto identity = op->finish_login(cb.code, cb.state, other, kRedirectUri, now_s());
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(identity.error().message, HasSubstr("nonce"));
}

TEST_F(OidcTest, StateMismatchIsRefusedBeforeTheCodeIsSpent) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  auto wrong = op->finish_login(cb.code, "not-the-state", pending, kRedirectUri, now_s());
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error().message, HasSubstr("state"));
  PendingLogin empty_state = pending;
  empty_state.state.clear();
  EXPECT_FALSE(op->finish_login(cb.code, "", empty_state, kRedirectUri, now_s()));
  // The code was not sent anywhere, so the real callback still completes.
  auto identity = op->finish_login(cb.code, cb.state, pending, kRedirectUri, now_s());
  EXPECT_TRUE(identity) << identity.error().message;
}

TEST_F(OidcTest, WrongVerifierAndReusedCodeAreRefused) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  PendingLogin other = pending;
  other.code_verifier = std::string(64, 'a');  // valid shape, wrong value
  auto wrong = op->finish_login(cb.code, cb.state, other, kRedirectUri, now_s());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(wrong.error().message, HasSubstr("invalid_grant"));
  EXPECT_THAT(wrong.error().message, Not(HasSubstr(cb.code)));

  auto [cb2, pending2] = login(*op, "alice");
  ASSERT_TRUE(op->finish_login(cb2.code, cb2.state, pending2, kRedirectUri, now_s()));
  auto again = op->finish_login(cb2.code, cb2.state, pending2, kRedirectUri, now_s());
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr("invalid_grant"));
}

TEST_F(OidcTest, WrongClientSecretIsRefusedWithoutEchoingIt) {
  OidcOptions options = options_for();
  options.client_secret = "definitely-wrong-secret";
  auto op = discover(options);
  ASSERT_TRUE(op);
  auto [cb, pending] = login(*op, "alice");
  auto identity = op->finish_login(cb.code, cb.state, pending, kRedirectUri, now_s());
  ASSERT_FALSE(identity);
  EXPECT_THAT(identity.error().message, HasSubstr("invalid_client"));
  EXPECT_THAT(identity.error().message, Not(HasSubstr("definitely-wrong-secret")));
  EXPECT_THAT(identity.error().message, Not(HasSubstr(cb.code)));
}

// ---- ID token verification ----------------------------------------------------------------------

TEST_F(OidcTest, WrongAudienceIsRefused) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "alice");
  ASSERT_TRUE(op->verify_id_token(token, kClientId, std::nullopt, now_s()));
  auto r = op->verify_id_token(token, "some-other-client", std::nullopt, now_s());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("audience"));
}

TEST_F(OidcTest, ExpiryAndIssuedAtAreJudgedAtNow) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "alice");
  TokenParts parts = split(token);
  int64_t exp = parts.claims.at("exp").as_int64();
  int64_t iat = parts.claims.at("iat").as_int64();
  EXPECT_TRUE(op->verify_id_token(token, kClientId, std::nullopt, exp + 59));  // leeway 60
  auto expired = op->verify_id_token(token, kClientId, std::nullopt, exp + 60);
  ASSERT_FALSE(expired);
  EXPECT_THAT(expired.error().message, HasSubstr("expired"));
  auto early = op->verify_id_token(token, kClientId, std::nullopt, iat - 61);
  ASSERT_FALSE(early);
  EXPECT_THAT(early.error().message, HasSubstr("future"));
}

TEST_F(OidcTest, ExpectedNonceMustBePresentAndEqual) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "alice");
  std::string nonce(split(token).claims.at("nonce").as_string());
  EXPECT_TRUE(op->verify_id_token(token, kClientId, std::string_view(nonce), now_s()));
  EXPECT_FALSE(op->verify_id_token(token, kClientId, std::string_view("other"), now_s()));
  EXPECT_FALSE(op->verify_id_token(token, kClientId, std::string_view(""), now_s()));
}

TEST_F(OidcTest, TamperedTokensAreRefused) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "alice");
  TokenParts parts = split(token);

  // A flipped signature byte.
  std::string sig = *base64url_decode(parts.signature);
  sig[sig.size() / 2] ^= 0x01;
  auto r = op->verify_id_token(join(parts.header, parts.claims, base64url_encode(sig)), kClientId,
                               std::nullopt, now_s());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("signature"));

  // Changed claims under the original signature.
  json::object claims = parts.claims;
  claims["sub"] = "mallory";
  r = op->verify_id_token(join(parts.header, claims, parts.signature), kClientId, std::nullopt,
                          now_s());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("signature"));
  EXPECT_THAT(r.error().message, Not(HasSubstr(parts.signature)));
}

TEST_F(OidcTest, AlgNoneAndHmacWithThePublicKeyAreRefused) {
  auto op = discover();
  ASSERT_TRUE(op);
  TokenParts parts = split(id_token(*op, "alice"));  // RS256, kid of the provider's RSA key

  json::object none = parts.header;
  none["alg"] = "none";
  auto r = op->verify_id_token(join(none, parts.claims, ""), kClientId, std::nullopt, now_s());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);

  // HS256 keyed with the RSA public key as the provider publishes it (the classic confusion).
  HttpClientRequest get;
  get.url = op->metadata().jwks_uri;
  auto jwks = http_fetch(get);
  ASSERT_TRUE(jwks);
  std::string kid(parts.header.at("kid").as_string());
  json::value doc = json::parse(jwks->body);
  for (const json::value& k : doc.as_object().at("keys").as_array()) {
    if (k.as_object().at("kid").as_string() != kid) continue;
    json::object hs = parts.header;
    hs["alg"] = "HS256";
    std::string input = encode_part(hs) + "." + encode_part(parts.claims);
    for (std::string secret : {json::serialize(k), std::string(k.as_object().at("n").as_string()),
                               *base64url_decode(k.as_object().at("n").as_string())}) {
      std::string forged = input + "." + base64url_encode(hmac_sha256(secret, input));
      auto f = op->verify_id_token(forged, kClientId, std::nullopt, now_s());
      ASSERT_FALSE(f);
      EXPECT_EQ(f.error().code, ErrorCode::kUnsupported);
    }
  }

  // An algorithm of another key type naming the RSA key.
  json::object es = parts.header;
  es["alg"] = "ES256";
  r = op->verify_id_token(join(es, parts.claims, parts.signature), kClientId, std::nullopt,
                          now_s());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(r.error().message, HasSubstr("does not fit"));
}

TEST_F(OidcTest, UnknownKidRefreshesTheKeySetOnceWithinTheInterval) {
  auto op = discover();  // default: at most one refresh per 30 s
  ASSERT_TRUE(op);
  TokenParts parts = split(id_token(*op, "alice"));
  json::object header = parts.header;
  header["kid"] = "no-such-key";
  std::string token = join(header, parts.claims, parts.signature);

  int before = provider_->jwks_fetches();
  ASSERT_GE(before, 1);
  auto r = op->verify_id_token(token, kClientId, std::nullopt, now_s());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(provider_->jwks_fetches(), before + 1);
  // Within the interval, more unknown kids do not reach the provider, from any thread, while
  // tokens with known kids keep verifying.
  std::string good = id_token(*op, "alice");
  std::vector<std::thread> threads;
  std::atomic<int> accepted = 0, refused = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (!op->verify_id_token(token, kClientId, std::nullopt, now_s())) ++refused;
        if (op->verify_id_token(good, kClientId, std::nullopt, now_s())) ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(refused.load(), 20);
  EXPECT_EQ(accepted.load(), 20);
  EXPECT_EQ(provider_->jwks_fetches(), before + 1);
}

TEST(OidcKeyRotationTest, ANewKidIsFetchedAndThenVerifies) {
  ProviderProcess provider;
  std::string error = provider.start();
  ASSERT_EQ(error, "") << error;
  auto op = OidcProvider::discover(provider.issuer(), options_for());
  ASSERT_TRUE(op) << op.error().message;
  EXPECT_EQ(provider.jwks_fetches(), 1);

  ASSERT_TRUE(provider.rotate_keys());
  auto start = (*op)->begin_login(kRedirectUri, std::vector<std::pair<std::string, std::string>>{
                                                    {"login_hint", "alice"}});
  ASSERT_TRUE(start);
  auto cb = browse_to_callback(start->authorization_url);
  ASSERT_TRUE(cb) << cb.error().message;
  auto identity = (*op)->finish_login(cb->code, cb->state, start->pending, kRedirectUri, now_s());
  ASSERT_TRUE(identity) << identity.error().message;  // signed by a key discovery never saw
  EXPECT_EQ(provider.jwks_fetches(), 2);
}

// ---- machines: federation -----------------------------------------------------------------------

FederationRule rule(std::string name, std::string issuer, std::string audience,
                    std::vector<std::pair<std::string, std::string>> claims) {
  return FederationRule{std::move(name), std::move(issuer), std::move(audience), std::move(claims),
                        R"({"kind":"ci","rules":[{"repository":"acme/**","actions":["pull","push"]}]})",
                        900};
}

TEST_F(OidcTest, FederationPicksTheFirstMatchingRule) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "ci-bot");
  OidcProviders providers = {{issuer(), op}};
  std::vector<FederationRule> rules = {
      rule("other-issuer", "https://ci.example.test", std::string(kClientId), {{"sub", "ci-bot"}}),
      rule("other-audience", issuer(), "registry.example.test", {{"sub", "ci-bot"}}),
      rule("other-subject", issuer(), std::string(kClientId), {{"sub", "alice"}}),
      rule("other-repo", issuer(), std::string(kClientId),
           {{"sub", "ci-bot"}, {"repository", "evil/*"}}),
      rule("widgets-main", issuer(), std::string(kClientId),
           {{"sub", "ci-*"}, {"repository", "acme/*"}, {"ref", "refs/heads/main"}}),
      rule("later", issuer(), std::string(kClientId), {{"sub", "ci-bot"}}),
  };
  for (const FederationRule& r : rules) EXPECT_TRUE(validate_federation_rule(r));
  auto match = match_federation_rule(token, rules, providers, now_s());
  ASSERT_TRUE(match) << match.error().message;
  EXPECT_EQ(match->rule_index, 4u);
  EXPECT_EQ(match->rule.name, "widgets-main");
  EXPECT_EQ(match->claims.subject, "ci-bot");
  EXPECT_EQ(match->claims.issuer, issuer());
}

TEST_F(OidcTest, FederationWithoutAMatchNamesIssuerAndSubjectOnly) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "ci-bot");
  OidcProviders providers = {{issuer(), op}};
  std::vector<FederationRule> rules = {
      rule("subject", issuer(), std::string(kClientId), {{"sub", "alice"}}),
      rule("repo", issuer(), std::string(kClientId), {{"repository", "acme/gadgets"}}),
      // Claim values that are not strings never match, not even "*".
      rule("number", issuer(), std::string(kClientId), {{"run_attempt", "1"}}),
      rule("number-glob", issuer(), std::string(kClientId), {{"run_attempt", "*"}}),
      rule("missing", issuer(), std::string(kClientId), {{"environment", "*"}}),
      // A rule without claim conditions never matches.
      FederationRule{"bare", issuer(), std::string(kClientId), {}, "[]", 900},
  };
  auto match = match_federation_rule(token, rules, providers, now_s());
  ASSERT_FALSE(match);
  EXPECT_EQ(match.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(match.error().message,
            "no federation rule matches issuer \"" + issuer() + "\" subject \"ci-bot\"");

  // An issuer without a configured provider.
  auto unknown = match_federation_rule(token, rules, OidcProviders{}, now_s());
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("no OIDC provider is configured for issuer"));
  EXPECT_THAT(unknown.error().message, Not(HasSubstr(token.substr(token.rfind('.') + 1))));
}

TEST_F(OidcTest, FederationRefusesExpiredAndForgedTokens) {
  auto op = discover();
  ASSERT_TRUE(op);
  std::string token = id_token(*op, "ci-bot");
  OidcProviders providers = {{issuer(), op}};
  std::vector<FederationRule> rules = {
      rule("ci", issuer(), std::string(kClientId), {{"sub", "ci-bot"}})};
  ASSERT_TRUE(match_federation_rule(token, rules, providers, now_s()));

  int64_t exp = split(token).claims.at("exp").as_int64();
  auto expired = match_federation_rule(token, rules, providers, exp + 3600);
  ASSERT_FALSE(expired);
  EXPECT_THAT(expired.error().message, HasSubstr("expired"));

  TokenParts parts = split(token);
  parts.claims["repository"] = "acme/widgets-fork";
  auto forged = match_federation_rule(join(parts.header, parts.claims, parts.signature), rules,
                                      providers, now_s());
  ASSERT_FALSE(forged);
  EXPECT_THAT(forged.error().message, HasSubstr("signature"));
}

TEST(FederationRuleTest, GlobMatching) {
  EXPECT_TRUE(glob_match("repo:acme/widgets:ref:refs/heads/main",
                                    "repo:acme/widgets:ref:refs/heads/main"));
  EXPECT_TRUE(glob_match("repo:acme/*:ref:refs/heads/main",
                                    "repo:acme/widgets:ref:refs/heads/main"));
  EXPECT_TRUE(glob_match("repo:acme/widgets:*", "repo:acme/widgets:ref:refs/tags/v1"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_FALSE(glob_match("repo:acme/*", "repo:acme2/widgets"));
  EXPECT_FALSE(glob_match("repo:acme/widgets", "repo:acme/widgets-fork"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_FALSE(glob_match("?", "x"));  // only '*' is special
}

TEST(FederationRuleTest, ValidationRefusesOpenOrBrokenRules) {
  FederationRule good = rule("ci", "https://ci.example.test", "bulwark", {{"sub", "repo:acme/*"}});
  EXPECT_TRUE(validate_federation_rule(good));
  auto refused = [](FederationRule r, std::string_view why) {
    auto v = validate_federation_rule(r);
    ASSERT_FALSE(v) << why;
    EXPECT_THAT(v.error().message, HasSubstr(std::string(why)));
  };
  FederationRule r = good;
  r.claims.clear();
  refused(r, "no claim conditions");
  r = good;
  r.audience.clear();
  refused(r, "no audience");
  r = good;
  r.token_lifetime = 0;
  refused(r, "lifetime");
  r.token_lifetime = kMaxFederationTokenLifetime + 1;
  refused(r, "lifetime");
  r = good;
  r.permissions_json = R"({"kind":"ci","rules":[{"repository":"x","actions":["fly"]}]})";
  refused(r, "permissions");
  r = good;
  r.claims = {{"sub", ""}};
  refused(r, "empty claim");
}

// ---- the outbound HTTP client against the same provider -----------------------------------------

TEST_F(OidcTest, HttpClientDoesNotFollowRedirects) {
  auto op = discover();
  ASSERT_TRUE(op);
  auto start = op->begin_login(kRedirectUri);
  ASSERT_TRUE(start);
  HttpClientRequest r;
  r.url = start->authorization_url;
  auto response = http_fetch(r);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 303);
  ASSERT_TRUE(response->header("location"));
  EXPECT_THAT(std::string(*response->header("location")), HasSubstr("/interaction/"));
}

TEST_F(OidcTest, HttpClientLimitsBodiesAndLowercasesHeaders) {
  HttpClientRequest r;
  r.url = issuer() + "/.well-known/openid-configuration";
  auto whole = http_fetch(r);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  ASSERT_TRUE(whole->header("content-type"));
  EXPECT_THAT(std::string(*whole->header("content-type")), HasSubstr("application/json"));
  r.max_response_bytes = whole->body.size() - 1;
  auto cut = http_fetch(r);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kTooLarge);
  r.max_response_bytes = whole->body.size();
  EXPECT_TRUE(http_fetch(r));
}

TEST(HttpClientTest, RefusesOtherSchemesAndKeepsSecretsOutOfErrors) {
  HttpClientRequest r;
  r.url = "file:///etc/passwd";
  auto file = http_fetch(r);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kInvalidArgument);
  r.url = "not a url";
  EXPECT_FALSE(http_fetch(r));

  r.url = "http://user:pa55word@127.0.0.1:1/token?code=SECRETCODE";
  r.method = "POST";
  r.body = "client_secret=BODYSECRET";
  r.headers = {{"Authorization", "Basic SEADERSECRET"}};
  auto refused = http_fetch(r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(refused.error().message, HasSubstr("POST http://127.0.0.1:1/token"));
  for (std::string_view secret : {"pa55word", "SECRETCODE", "BODYSECRET", "SEADERSECRET"}) {
    EXPECT_THAT(refused.error().message, Not(HasSubstr(std::string(secret))));
  }
  r.headers = {{"X-Injected", "a\r\nHost: evil"}};
  auto injected = http_fetch(r);
  ASSERT_FALSE(injected);
  EXPECT_EQ(injected.error().code, ErrorCode::kInvalidArgument);
}

TEST(HttpClientTest, FormEncodingEscapesEverythingButUnreserved) {
  EXPECT_EQ(form_urlencode({{"a b", "x+y/z=&"}, {"k", "-._~AZaz09"}}),
            "a%20b=x%2By%2Fz%3D%26&k=-._~AZaz09");
}

// ---- JWKS and JWS on hand-made keys -------------------------------------------------------------

struct Ed25519 {
  std::shared_ptr<EVP_PKEY> key{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free};

  json::object jwk(std::string_view kid) const {
    unsigned char pub[32];
    size_t len = sizeof pub;
    EVP_PKEY_get_raw_public_key(key.get(), pub, &len);
    json::object o{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(std::span(pub, len))}};
    if (!kid.empty()) o["kid"] = kid;
    return o;
  }
  std::string sign(json::object header, const json::object& claims) const {
    std::string input = encode_part(header) + "." + encode_part(claims);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
    unsigned char sig[64];
    size_t len = sizeof sig;
    EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    return input + "." + base64url_encode(std::span(sig, len));
  }
};

std::string keys_doc(std::initializer_list<json::value> keys) {
  json::array array;
  for (const json::value& k : keys) array.push_back(k);
  json::object doc;
  doc["keys"] = std::move(array);
  return json::serialize(doc);
}

TEST(JwksTest, VerifiesAndSelectsByKid) {
  Ed25519 a, b;
  auto jwks = Jwks::parse(keys_doc({a.jwk("a"), b.jwk("b")}));
  ASSERT_TRUE(jwks) << jwks.error().message;
  EXPECT_EQ(jwks->size(), 2u);
  EXPECT_TRUE(jwks->has_kid("b"));
  json::object claims{{"sub", "x"}};
  auto ok = verify_jws(b.sign({{"alg", "EdDSA"}, {"kid", "b"}}, claims), *jwks);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->at("sub").as_string(), "x");
  EXPECT_TRUE(verify_jws(b.sign({{"alg", "Ed25519"}, {"kid", "b"}}, claims), *jwks));
  // Signed by b but naming a's kid.
  EXPECT_FALSE(verify_jws(b.sign({{"alg", "EdDSA"}, {"kid", "a"}}, claims), *jwks));
  // No kid: every fitting key is tried.
  EXPECT_TRUE(verify_jws(b.sign({{"alg", "EdDSA"}}, claims), *jwks));
  auto unknown = verify_jws(b.sign({{"alg", "EdDSA"}, {"kid", "c"}}, claims), *jwks);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST(JwksTest, RefusesRiskyTokens) {
  Ed25519 a;
  auto jwks = Jwks::parse(keys_doc({a.jwk("a")}));
  ASSERT_TRUE(jwks);
  json::object claims{{"sub", "x"}};
  auto code_of = [&](const std::string& token) {
    auto r = verify_jws(token, *jwks);
    return r ? std::optional<ErrorCode>() : std::optional<ErrorCode>(r.error().code);
  };
  EXPECT_EQ(code_of(a.sign({{"alg", "EdDSA"}, {"kid", "a"}, {"crit", json::array{"exp"}}}, claims)),
            ErrorCode::kUnsupported);
  EXPECT_EQ(code_of(a.sign({{"alg", "ES256"}, {"kid", "a"}}, claims)), ErrorCode::kUnsupported);
  EXPECT_EQ(code_of(a.sign({{"alg", "HS256"}, {"kid", "a"}}, claims)), ErrorCode::kUnsupported);
  EXPECT_EQ(code_of(a.sign({{"kid", "a"}}, claims)), ErrorCode::kInvalidArgument);
  json::object big{{"sub", "x"}, {"pad", std::string(13000, 'p')}};
  EXPECT_EQ(code_of(a.sign({{"alg", "EdDSA"}, {"kid", "a"}}, big)), ErrorCode::kTooLarge);
  // Duplicate claim names under a valid signature.
  std::string header = encode_part({{"alg", "EdDSA"}, {"kid", "a"}});
  std::string payload = base64url_encode(std::string(R"({"sub":"x","sub":"y"})"));
  std::string input = header + "." + payload;
  std::string token = a.sign({{"alg", "EdDSA"}, {"kid", "a"}}, claims);
  // Re-sign the duplicate-key payload by hand.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, a.key.get());
  unsigned char sig[64];
  size_t len = sizeof sig;
  EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  auto dup = verify_jws(input + "." + base64url_encode(std::span(sig, len)), *jwks);
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.error().message, HasSubstr("duplicate"));
}

TEST(JwksTest, ParsingSkipsForeignKeysAndRefusesBrokenOnes) {
  Ed25519 a;
  json::object enc = a.jwk("enc");
  enc["use"] = "enc";
  json::object hmac{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "h"}};
  json::object x25519{{"kty", "OKP"}, {"crv", "X25519"}, {"x", base64url_encode(std::string(32, 'x'))}};
  auto skipped = Jwks::parse(keys_doc({enc, hmac, x25519, a.jwk("a")}));
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ(skipped->size(), 1u);

  EXPECT_FALSE(Jwks::parse(R"({"keys":[],"keys":[]})"));
  EXPECT_FALSE(Jwks::parse(R"({"nokeys":[]})"));
  json::object short_ec{{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url_encode(std::string(31, 'x'))},
                        {"y", base64url_encode(std::string(32, 'y'))}};
  EXPECT_FALSE(Jwks::parse(keys_doc({short_ec})));
  json::object off_curve{{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url_encode(std::string(32, 'x'))},
                         {"y", base64url_encode(std::string(32, 'y'))}};
  EXPECT_FALSE(Jwks::parse(keys_doc({off_curve})));
  json::object wrong_alg = a.jwk("w");
  wrong_alg["alg"] = "RS256";
  EXPECT_FALSE(Jwks::parse(keys_doc({wrong_alg})));

  // RSA keys under 2048 bits are refused.
  std::shared_ptr<EVP_PKEY> rsa(EVP_RSA_gen(1024), EVP_PKEY_free);
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(rsa.get(), OSSL_PKEY_PARAM_RSA_N, &n), 1);
  ASSERT_EQ(EVP_PKEY_get_bn_param(rsa.get(), OSSL_PKEY_PARAM_RSA_E, &e), 1);
  auto bytes = [](const BIGNUM* bn) {
    std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    return base64url_encode(out);
  };
  json::object small{{"kty", "RSA"}, {"n", bytes(n)}, {"e", bytes(e)}};
  BN_free(n);
  BN_free(e);
  auto refused = Jwks::parse(keys_doc({small}));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("2048"));
}

}  // namespace
}  // namespace bulwark::auth
