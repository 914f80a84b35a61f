// Keyless signing's refusals, with no Sigstore service involved or a one-shot stub standing in for
// Fulcio: tokens that are not JWTs or lack a usable subject, missing URLs, an unreachable
// service, a Fulcio error that echoes the token (the token must not reach the error), a Fulcio
// answer certifying another key (a recorded answer of the vectors). Then, when node and the npm
// packages of tests/sigstore are there, the round trip against the local mock services
// (../shared/data/sigstore/tools/mock-sigstore-server.js, fresh keys per run): blob and DSSE
// bundles verify with Bulwark's verifier under the mock's trusted root and the token's identity,
// and are refused for another artifact or identity. The npm verifiers and the CLI are in
// tests/e2e_keyless.sh.
#include "trust/keyless_signer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/digest.h"
#include "common/encoding.h"
#include "common/http_client.h"
#include "trust/intoto.h"
#include "trust/sigstore_verify.h"
#include "trust/trusted_root.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::read_file;

std::string jwt(std::string_view claims) {
  return base64url_encode(std::string_view(R"({"alg":"none"})")) + "." + base64url_encode(claims) +
         ".c2ln";
}


// Answers one HTTP request on 127.0.0.1 with `status` and `body`, keeping what was sent.
class OneShotServer {
 public:
  OneShotServer(int status, std::string body) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this, status, body = std::move(body)] {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      timeval tv{5, 0};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[8192];
      size_t need = std::string::npos;
      while (need == std::string::npos || request_.size() < need) {
        ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
        const size_t end = request_.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          const size_t cl = request_.find("Content-Length: ");
          need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(request_.substr(cl + 16)));
        }
      }
      const std::string answer =
          "HTTP/1.1 " + std::to_string(status) +
          " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      ::send(conn, answer.data(), answer.size(), 0);
      ::close(conn);
    });
  }
  ~OneShotServer() {
    take_request();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Ends the server (after its one exchange, if any) and returns what was sent to it.
  std::string take_request() {
    if (thread_.joinable()) {
      ::shutdown(fd_, SHUT_RDWR);
      thread_.join();
    }
    return request_;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

SigstoreEndpoints at(std::string fulcio, std::string rekor = "http://127.0.0.1:1") {
  SigstoreEndpoints e;
  e.fulcio_url = std::move(fulcio);
  e.rekor_url = std::move(rekor);
  e.timeout_seconds = 5;
  return e;
}

const std::string kToken = jwt(R"({"iss":"https://issuer.example","sub":"someone@example"})");

TEST(KeylessSigner, RefusesTokensThatAreNotJwts) {
  const std::string not_an_object = "a." + base64url_encode(std::string_view("[1]")) + ".c";
  for (const std::string& token :
       {std::string(), std::string("not-a-jwt"), std::string("a.!!!.c"), not_an_object}) {
    auto signer = KeylessSigner::create(at("http://127.0.0.1:1"), token);
    ASSERT_FALSE(signer) << token;
    EXPECT_EQ(signer.error().code, ErrorCode::kInvalidArgument) << token;
  }
}

TEST(KeylessSigner, RefusesUnverifiedEmailsAndMissingSubjects) {
  auto unverified =
      KeylessSigner::create(at("http://127.0.0.1:1"), jwt(R"({"iss":"i","email":"a@b.c"})"));
  ASSERT_FALSE(unverified);
  EXPECT_NE(unverified.error().message.find("not verified"), std::string::npos);
  auto no_subject = KeylessSigner::create(at("http://127.0.0.1:1"), jwt(R"({"iss":"i"})"));
  ASSERT_FALSE(no_subject);
  EXPECT_NE(no_subject.error().message.find("subject"), std::string::npos);
}

TEST(KeylessSigner, NeedsFulcioAndRekorUrls) {
  auto signer = KeylessSigner::create(at(""), kToken);
  ASSERT_FALSE(signer);
  EXPECT_EQ(signer.error().code, ErrorCode::kInvalidArgument);
}

TEST(KeylessSigner, UnreachableFulcioIsUnavailableAndNamesIt) {
  auto signer = KeylessSigner::create(at("http://127.0.0.1:1"), kToken);
  ASSERT_FALSE(signer);
  EXPECT_EQ(signer.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(signer.error().message.find("fulcio"), std::string::npos);
}

TEST(KeylessSigner, FulcioErrorsNeverCarryTheToken) {
  const std::string claims =
      kToken.substr(kToken.find('.') + 1, kToken.rfind('.') - kToken.find('.') - 1);
  OneShotServer fulcio(400, "bad token " + kToken + " with claims " + claims);
  auto signer = KeylessSigner::create(at(fulcio.url(), fulcio.url()), kToken);
  ASSERT_FALSE(signer);
  EXPECT_EQ(signer.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(signer.error().message.find("HTTP 400"), std::string::npos);
  EXPECT_EQ(signer.error().message.find(kToken), std::string::npos) << signer.error().message;
  EXPECT_EQ(signer.error().message.find(claims), std::string::npos) << signer.error().message;
  EXPECT_NE(signer.error().message.find("<token>"), std::string::npos);
}

TEST(KeylessSigner, SendsAProofOfPossessionAndRefusesACertificateForAnotherKey) {
  // A genuine Fulcio answer from the vectors: its leaf certifies the vectors' key, not ours.
  const std::string answer =
      read_file(std::string(TRUST_SIGSTORE_DIR) + "/keyless-mock/http/1-blob.fulcio.response.json");
  ASSERT_FALSE(answer.empty());
  OneShotServer fulcio(201, answer);
  auto signer = KeylessSigner::create(at(fulcio.url() + "/"), kToken);
  ASSERT_FALSE(signer);
  EXPECT_NE(signer.error().message.find("another key"), std::string::npos)
      << signer.error().message;

  // The request, read here independently of the signer: the v2 path, the token, a PEM key and
  // a proof of possession = that key's signature over the token's subject.
  const std::string request = fulcio.take_request();
  ASSERT_EQ(request.rfind("POST /api/v2/signingCert HTTP/1.1\r\n", 0), 0u) << request.substr(0, 80);
  const auto doc = boost::json::parse(request.substr(request.find("\r\n\r\n") + 4));
  EXPECT_EQ(doc.at("credentials").at("oidcIdentityToken").as_string(), kToken);
  const auto& pkr = doc.at("publicKeyRequest").as_object();
  EXPECT_EQ(pkr.at("publicKey").at("algorithm").as_string(), "ECDSA");
  auto key = PublicKey::from_pem(std::string(pkr.at("publicKey").at("content").as_string()));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::kEcdsaP256);
  auto proof = base64_decode(std::string(pkr.at("proofOfPossession").as_string()));
  ASSERT_TRUE(proof);
  EXPECT_TRUE(key->verify("someone@example", *proof));
  EXPECT_FALSE(key->verify("someone-else@example", *proof));
}

// The mock Sigstore services in a child process on a free loopback port, in a temp dir.
class MockSigstore {
 public:
  MockSigstore() {
    const std::string modules = KEYLESS_NODE_MODULES;
    const std::string script = std::string(TRUST_SIGSTORE_DIR) + "/tools/mock-sigstore-server.js";
    if (!std::filesystem::exists(modules + "/@sigstore/mock") || !std::filesystem::exists(script) ||
        std::system("node --version >/dev/null 2>&1") != 0) {
      return;
    }
    char tmpl[] = "/tmp/bulwark-keyless-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    const int port = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives a crashed test
      ::setenv("NODE_PATH", modules.c_str(), 1);
      const std::string log = dir_ + "/mock.log";
      FILE* f = std::freopen(log.c_str(), "w", stdout);
      (void)f;
      const std::string port_s = std::to_string(port);
      ::execlp("node", "node", script.c_str(), (dir_ + "/out").c_str(), port_s.c_str(), nullptr);
      ::_exit(127);
    }
    // Bounded wait (~30 s) until it has written its trusted root and accepts connections.
    for (int i = 0; i < 300 && !ready(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~MockSigstore() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool available() const { return pid_ > 0; }
  bool ready() const {
    if (pid_ <= 0 || !std::filesystem::exists(dir_ + "/out/server.url")) return false;
    HttpClientRequest r;
    r.url = url_ + "/tuf/root.json";
    r.timeout_seconds = 2;
    auto answer = http_fetch(r);
    return answer && answer->status == 200;
  }
  const std::string& url() const { return url_; }
  std::string trusted_root() const { return dir_ + "/out/trusted_root.json"; }

 private:
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  pid_t pid_ = -1;
  std::string dir_;
  std::string url_;
};

class KeylessAgainstMock : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mock_ = new MockSigstore(); }
  static void TearDownTestSuite() { delete mock_; }
  void SetUp() override {
    // scripts/install-deps installs node and tests/sigstore: their absence is a failure.
    ASSERT_TRUE(mock_->available()) << "node or tests/sigstore/node_modules missing";
    ASSERT_TRUE(mock_->ready()) << "the mock services did not start";
    auto root = load_trusted_root(mock_->trusted_root());
    ASSERT_TRUE(root) << root.error().message;
    root_ = std::move(*root);
  }
  static SigstoreEndpoints endpoints(bool tsa) {
    SigstoreEndpoints e;
    e.fulcio_url = e.rekor_url = mock_->url();
    if (tsa) e.tsa_url = mock_->url();
    return e;
  }
  static SigstorePolicy policy(std::string san) {
    SigstorePolicy p;
    p.identities.push_back(KeylessIdentity{std::move(san), "", "https://issuer.example", ""});
    return p;
  }
  static MockSigstore* mock_;
  TrustedRoot root_;
};
MockSigstore* KeylessAgainstMock::mock_ = nullptr;

TEST_F(KeylessAgainstMock, BlobBundlesVerifyForTheirArtifactAndIdentityOnly) {
  auto signer = KeylessSigner::create(endpoints(/*tsa=*/true), kToken);
  ASSERT_TRUE(signer) << signer.error().message;
  EXPECT_EQ(signer->leaf().subject_alt_names().uris.size() +
                signer->leaf().subject_alt_names().emails.size() +
                signer->leaf().subject_alt_names().others.size(),
            1u);
  auto bundle = keyless_sign_blob_bundle(*signer, "hello keyless\n");
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto doc = boost::json::parse(*bundle);
  EXPECT_EQ(doc.at("mediaType").as_string(), kBundleMediaTypeV03);
  EXPECT_EQ(doc.at("verificationMaterial").at("tlogEntries").as_array().size(), 1u);
  EXPECT_EQ(doc.at("verificationMaterial")
                .at("timestampVerificationData")
                .at("rfc3161Timestamps")
                .as_array()
                .size(),
            1u);
  SigstorePolicy p = policy("someone@example");
  p.timestamp_threshold = 1;
  Verdict ok = verify_bundle_json(*bundle, Artifact::from_bytes("hello keyless\n"), root_, p);
  EXPECT_TRUE(ok.verified()) << ok.message;
  Verdict other = verify_bundle_json(*bundle, Artifact::from_bytes("hello keyless!\n"), root_, p);
  EXPECT_FALSE(other.verified());
  Verdict someone_else = verify_bundle_json(*bundle, Artifact::from_bytes("hello keyless\n"), root_,
                                            policy("someone-else@example"));
  EXPECT_FALSE(someone_else.verified());

  // The same signer signs again (one certificate, many signatures), here without a TSA.
  auto second = keyless_sign_blob_bundle(*signer, "second");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(
      verify_bundle_json(*second, Artifact::from_bytes("second"), root_, policy("someone@example"))
          .verified());
}

TEST_F(KeylessAgainstMock, StatementBundlesVerifyForTheirSubject) {
  auto signer = KeylessSigner::create(endpoints(/*tsa=*/false), kToken);
  ASSERT_TRUE(signer) << signer.error().message;
  const std::string artifact = "the subject";
  const std::string statement =
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":")" +
      Digest::of(artifact).hex() +
      R"("}}],"predicateType":"https://example.com/p/v1","predicate":{}})";
  auto bundle = keyless_statement_bundle(*signer, statement);
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto doc = boost::json::parse(*bundle);
  EXPECT_EQ(doc.at("verificationMaterial").at("tlogEntries").at(0).at("kindVersion").at("kind"),
            "dsse");
  Verdict ok =
      verify_bundle_json(*bundle, Artifact::from_bytes(artifact), root_, policy("someone@example"));
  EXPECT_TRUE(ok.verified()) << ok.message;
  EXPECT_FALSE(verify_bundle_json(*bundle, Artifact::from_bytes("another subject"), root_,
                                  policy("someone@example"))
                   .verified());
}

}  // namespace
}  // namespace bulwark::trust
