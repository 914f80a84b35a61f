// LdapDirectory against a real OpenLDAP slapd: each fixture test writes a slapd.conf into its own
// temp dir, loads testdata/ldap/base.ldif with slapadd, starts slapd on a free loopback port and
// stops it at the end. Without slapd the tests fail (run scripts/install-deps).
#include "auth/ldap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <ldap.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"

namespace bulwark::auth {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSlapd = "/usr/sbin/slapd";
constexpr const char* kSlapadd = "/usr/sbin/slapadd";
constexpr const char* kOpenssl = "/usr/bin/openssl";
constexpr const char* kInstallHint = " is not installed: run scripts/install-deps";
const std::string kReaderDn = "cn=reader,dc=example,dc=org";
const std::string kReaderPassword = "reader-secret";
const std::string kAliceDn = "uid=alice,ou=people,dc=example,dc=org";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Starts argv[0] with stdout and stderr appended to `log`; the child is killed if this process
// dies. Returns the pid, or -1.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Runs a command to completion; true when it exits 0.
bool run(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = spawn(args, log);
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

// A loopback TCP socket bound to a port the OS picked; listening only when asked.
class Socket {
 public:
  explicit Socket(bool listening) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (listening && listen(fd_, 8) != 0)) {
      throw std::runtime_error("cannot bind a loopback socket");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int port() const { return port_; }
  std::string url() const { return "ldap://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_;
  int port_ = 0;
};

// A free port: the OS picks one, we release it for slapd (a race another process can win;
// Slapd::start retries then).
int free_port() { return Socket(false).port(); }

// True when a simple bind as the service account over `url` succeeds.
bool answers(const std::string& url) {
  LDAP* ld = nullptr;
  if (ldap_initialize(&ld, url.c_str()) != LDAP_SUCCESS) return false;
  int version = LDAP_VERSION3;
  timeval timeout{1, 0};
  ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
  ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
  berval cred{kReaderPassword.size(), const_cast<char*>(kReaderPassword.data())};
  int rc =
      ldap_sasl_bind_s(ld, kReaderDn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  ldap_unbind_ext_s(ld, nullptr, nullptr);
  return rc == LDAP_SUCCESS;
}

// A self-signed test CA and a server certificate for 127.0.0.1 and localhost, made with the
// openssl CLI; plus an unrelated CA the server's certificate does not chain to.
bool make_certificates(const TempDir& dir, const std::string& log) {
  // openssl req arguments for a new P-256 key in `name`.key and the subject `cn`.
  auto new_key = [&](const std::string& name, const std::string& cn) {
    return std::vector<std::string>{"-newkey",
                                    "ec",
                                    "-pkeyopt",
                                    "ec_paramgen_curve:prime256v1",
                                    "-nodes",
                                    "-keyout",
                                    dir.file(name + ".key"),
                                    "-subj",
                                    "/CN=" + cn};
  };
  auto req = [&](std::vector<std::string> head, const std::string& name, const std::string& cn,
                 const std::string& out) {
    for (auto& a : new_key(name, cn)) head.push_back(std::move(a));
    head.push_back("-out");
    head.push_back(dir.file(out));
    return run(head, log);
  };
  const std::vector<std::string> self_signed = {kOpenssl, "req", "-x509", "-days", "2"};
  write_file(dir.file("server.ext"),
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
             "extendedKeyUsage=serverAuth\n");
  return req(self_signed, "ca", "Bulwark LDAP test CA", "ca.pem") &&
         req(self_signed, "other-ca", "Unrelated CA", "other-ca.pem") &&
         req({kOpenssl, "req", "-new"}, "server", "localhost", "server.csr") &&
         run({kOpenssl, "x509", "-req", "-in", dir.file("server.csr"), "-CA", dir.file("ca.pem"),
              "-CAkey", dir.file("ca.key"), "-CAcreateserial", "-out", dir.file("server.pem"),
              "-days", "2", "-extfile", dir.file("server.ext")},
             log);
}

// One slapd with the test directory loaded, listening on ldap:// (and ldaps:// with TLS).
class Slapd {
 public:
  // Returns nullptr after recording a test failure.
  static std::unique_ptr<Slapd> start(bool tls) {
    auto s = std::unique_ptr<Slapd>(new Slapd());
    if (!s->configure(tls)) return nullptr;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (s->launch(tls)) return s;
    }
    ADD_FAILURE() << "slapd did not start; its log:\n" << read_file(s->log_);
    return nullptr;
  }

  ~Slapd() { stop(); }

  std::string url() const { return "ldap://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string ldaps_url() const { return "ldaps://127.0.0.1:" + std::to_string(tls_port_) + "/"; }
  std::string ca_file() const { return dir_.file("ca.pem"); }
  std::string other_ca_file() const { return dir_.file("other-ca.pem"); }

 private:
  Slapd() : dir_("bulwark-ldap"), log_(dir_.file("slapd.log")) {}

  bool configure(bool tls) {
    std::filesystem::create_directory(dir_.file("db"));
    std::string tls_lines;
    if (tls) {
      if (!make_certificates(dir_, log_)) {
        ADD_FAILURE() << "openssl could not make test certificates:\n" << read_file(log_);
        return false;
      }
      tls_lines = "TLSCACertificateFile " + dir_.file("ca.pem") + "\nTLSCertificateFile " +
                  dir_.file("server.pem") + "\nTLSCertificateKeyFile " + dir_.file("server.key");
    }
    std::string conf = read_file(LDAP_TESTDATA_DIR "/slapd.conf.in");
    conf = replace_all(replace_all(conf, "@DIR@", dir_.path()), "@TLS@", tls_lines);
    write_file(dir_.file("slapd.conf"), conf);
    if (!run({kSlapadd, "-q", "-f", dir_.file("slapd.conf"), "-l", LDAP_TESTDATA_DIR "/base.ldif"},
             log_)) {
      ADD_FAILURE() << "slapadd failed:\n" << read_file(log_);
      return false;
    }
    return true;
  }

  // Starts slapd on fresh ports and waits (bounded) until it answers a bind; false if it exited
  // (e.g. another process took the port) or never answered.
  bool launch(bool tls) {
    port_ = free_port();
    std::string listen = url();
    if (tls) {
      tls_port_ = free_port();
      listen += " " + ldaps_url();
    }
    pid_ = spawn({kSlapd, "-d", "0", "-h", listen, "-f", dir_.file("slapd.conf")}, log_);
    if (pid_ <= 0) return false;
    const auto deadline = Clock::now() + 20s;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (answers(url())) return true;
      std::this_thread::sleep_for(20ms);  // poll interval, bounded by the deadline
    }
    stop();
    return false;
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + 10s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
  }

  TempDir dir_;
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
  int tls_port_ = 0;
};

void expect_bad_credentials(const Result<LdapIdentity>& r, std::string_view what) {
  ASSERT_FALSE(r) << what << " authenticated as " << r->dn;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << what << ": " << r.error().message;
  EXPECT_EQ(r.error().message, kLdapBadCredentialsMessage) << what;
}

void expect_unavailable(const Result<LdapIdentity>& r, const std::string& url,
                        const std::vector<std::string>& secrets) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
  EXPECT_NE(r.error().message.find(url), std::string::npos) << r.error().message;
  for (const auto& secret : secrets) {
    EXPECT_EQ(r.error().message.find(secret), std::string::npos) << r.error().message;
  }
}

LdapOptions options_for(const std::string& url) {
  LdapOptions o;
  o.url = url;
  o.bind_dn = kReaderDn;
  o.bind_password = kReaderPassword;
  o.user_base = "ou=people,dc=example,dc=org";
  o.group_base = "ou=groups,dc=example,dc=org";
  o.timeout_seconds = 5;
  return o;
}

class LdapTest : public ::testing::Test {
 protected:
  virtual bool tls() const { return false; }

  void SetUp() override {
    for (const char* tool : {kSlapd, kSlapadd}) {
      ASSERT_EQ(access(tool, X_OK), 0) << tool << kInstallHint;
    }
    if (tls()) {
      ASSERT_EQ(access(kOpenssl, X_OK), 0) << kOpenssl << kInstallHint;
    }
    slapd_ = Slapd::start(tls());
    ASSERT_NE(slapd_, nullptr);
  }

  LdapOptions options() const { return options_for(slapd_->url()); }

  std::unique_ptr<Slapd> slapd_;
};

// --- without a server ---

TEST(LdapEscape, EscapesFilterMetacharactersPerRfc4515) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*"), "\\2a");
  EXPECT_EQ(escape_filter_value("("), "\\28");
  EXPECT_EQ(escape_filter_value(")"), "\\29");
  EXPECT_EQ(escape_filter_value("\\"), "\\5c");
  EXPECT_EQ(escape_filter_value(std::string_view("a\0b", 3)), "a\\00b");
  EXPECT_EQ(escape_filter_value("alice)(uid=*"), "alice\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("uid=x,ou=p"), "uid=x,ou=p");
  EXPECT_EQ(escape_filter_value("\n\x7f\xc3\xa9"), "\\0a\\7f\\c3\\a9");
  EXPECT_EQ(escape_filter_value(""), "");
}

TEST(LdapOptionsValidation, RejectsUnusableOptions) {
  auto good = options_for("ldap://127.0.0.1:389/");
  EXPECT_TRUE(validate_ldap_options(good));
  std::vector<std::pair<std::string, LdapOptions>> bad;
  auto with = [&](std::string name, auto change) {
    LdapOptions o = good;
    change(o);
    bad.emplace_back(std::move(name), std::move(o));
  };
  with("http url", [](LdapOptions& o) { o.url = "http://127.0.0.1/"; });
  with("empty url", [](LdapOptions& o) { o.url = ""; });
  with("StartTLS on ldaps", [](LdapOptions& o) {
    o.url = "ldaps://127.0.0.1/";
    o.start_tls = true;
  });
  with("no user_base", [](LdapOptions& o) { o.user_base = ""; });
  with("filter without {username}", [](LdapOptions& o) { o.user_filter = "(uid=alice)"; });
  with("bind_dn without password", [](LdapOptions& o) { o.bind_password = ""; });
  with("zero timeout", [](LdapOptions& o) { o.timeout_seconds = 0; });
  for (const auto& [name, o] : bad) {
    auto r = validate_ldap_options(o);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(r.error().message.find(kReaderPassword), std::string::npos) << name;
    // Used anyway, a broken configuration is the directory's fault, never bad credentials.
    auto a = LdapDirectory(o).authenticate("alice", "alice-secret");
    ASSERT_FALSE(a) << name;
    EXPECT_EQ(a.error().code, ErrorCode::kUnavailable) << name;
  }
}

TEST(LdapNoServer, MalformedCredentialsAreRefusedWithoutContactingTheServer) {
  Socket closed(false);  // bound, not listening: a connection would be refused
  LdapDirectory dir(options_for(closed.url()));
  expect_bad_credentials(dir.authenticate("alice", ""), "empty password");
  expect_bad_credentials(dir.authenticate("", "alice-secret"), "empty username");
  expect_bad_credentials(dir.authenticate(std::string_view("alice\0x", 7), "alice-secret"), "NUL");
  expect_bad_credentials(dir.authenticate(std::string(257, 'a'), "alice-secret"), "257 bytes");
  // The same server is indeed unreachable for a well-formed attempt.
  EXPECT_EQ(dir.authenticate(std::string(256, 'a'), "x").error().code, ErrorCode::kUnavailable);
}

TEST(LdapNoServer, UnreachableServerIsUnavailableNamingTheUrlNotThePassword) {
  Socket closed(false);
  auto o = options_for(closed.url());
  o.timeout_seconds = 2;
  const auto start = Clock::now();
  auto r = LdapDirectory(o).authenticate("alice", "alice-secret");
  EXPECT_LT(Clock::now() - start, 2s);
  expect_unavailable(r, closed.url(), {kReaderPassword, "alice-secret"});
}

TEST(LdapNoServer, SilentServerTimesOut) {
  Socket silent(true);  // accepts connections (backlog) but never answers
  for (bool anonymous : {false, true}) {
    auto o = options_for(silent.url());
    o.timeout_seconds = 1;
    if (anonymous) o.bind_dn = o.bind_password = "";
    const auto start = Clock::now();
    auto r = LdapDirectory(o).authenticate("alice", "alice-secret");
    EXPECT_LT(Clock::now() - start, 5s) << "anonymous=" << anonymous;
    expect_unavailable(r, silent.url(), {kReaderPassword, "alice-secret"});
  }
}

// --- against slapd ---

TEST_F(LdapTest, RightPasswordGivesIdentityWithDnEmailAndGroups) {
  LdapDirectory dir(options());
  auto alice = dir.authenticate("alice", "alice-secret");  // {SSHA} password
  ASSERT_TRUE(alice) << alice.error().message;
  EXPECT_EQ(alice->username, "alice");
  EXPECT_EQ(alice->dn, kAliceDn);
  EXPECT_EQ(alice->email, "alice@example.org");
  // groupOfNames member + posixGroup memberUid
  EXPECT_EQ(alice->groups, (std::vector<std::string>{"deploy", "developers"}));

  auto bob = dir.authenticate("bob", "bob-secret");  // plaintext password
  ASSERT_TRUE(bob) << bob.error().message;
  EXPECT_EQ(bob->dn, "uid=bob,ou=people,dc=example,dc=org");
  EXPECT_EQ(bob->email, "bob@example.org");
  // groupOfNames member + groupOfUniqueNames uniqueMember
  EXPECT_EQ(bob->groups, (std::vector<std::string>{"admins", "auditors"}));
}

TEST_F(LdapTest, UsernameIsTheDirectorysSpelling) {
  auto r = LdapDirectory(options()).authenticate("ALICE", "alice-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->username, "alice");
  EXPECT_EQ(r->dn, kAliceDn);
  // memberUid matches case-sensitively: the group filter gets the directory's spelling.
  EXPECT_EQ(r->groups, (std::vector<std::string>{"deploy", "developers"}));
}

TEST_F(LdapTest, WrongPasswordAndUnknownUserFailAlike) {
  LdapDirectory dir(options());
  auto wrong = dir.authenticate("alice", "not-her-password");
  auto others = dir.authenticate("alice", "bob-secret");
  auto unknown = dir.authenticate("mallory", "alice-secret");
  expect_bad_credentials(wrong, "wrong password");
  expect_bad_credentials(others, "another user's password");
  expect_bad_credentials(unknown, "unknown user");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, unknown.error().code);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(LdapTest, FilterInjectionMatchesNobody) {
  LdapDirectory dir(options());
  for (const char* name : {"*", "alice)(uid=*", "a*", "*)(|(uid=*", "alice)(|(uid=*)", "al*ce",
                           "alice\\2a", "(uid=alice)"}) {
    for (const char* password : {"alice-secret", "bob-secret", "carol-secret"}) {
      expect_bad_credentials(dir.authenticate(name, password), name);
    }
  }
}

TEST_F(LdapTest, NameWithFilterMetacharactersAuthenticatesOnlyItsOwnAccount) {
  LdapDirectory dir(options());
  auto r = dir.authenticate("weird(name)*", "weird-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->dn, "uid=weird(name)*,ou=people,dc=example,dc=org");
  EXPECT_EQ(r->groups, std::vector<std::string>{"odd"});  // {dn} escaped in the group filter
  expect_bad_credentials(dir.authenticate("weird(name)", "weird-secret"), "prefix");
  expect_bad_credentials(dir.authenticate("weird*", "weird-secret"), "wildcard");
}

TEST_F(LdapTest, SeveralMatchingEntriesAreBadCredentials) {
  auto o = options();
  o.user_filter = "(cn={username})";
  LdapDirectory dir(o);
  // twin1 and twin2 both have cn=Twin and this password: which one is meant is unknowable.
  expect_bad_credentials(dir.authenticate("Twin", "twin-secret"), "two matches");
  auto single = dir.authenticate("Carol Example", "carol-secret");
  ASSERT_TRUE(single) << single.error().message;
  EXPECT_EQ(single->username, "carol");  // the uid, not the cn used to log in
}

TEST_F(LdapTest, UserInNoGroupHasNoGroups) {
  auto r = LdapDirectory(options()).authenticate("carol", "carol-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->groups.empty());
  EXPECT_EQ(r->email, "");  // carol has no mail attribute
}

TEST_F(LdapTest, NoGroupBaseSkipsGroupLookup) {
  auto o = options();
  o.group_base = "";
  auto r = LdapDirectory(o).authenticate("alice", "alice-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->groups.empty());
}

TEST_F(LdapTest, AnonymousSearchWorksWithoutAServiceAccount) {
  auto o = options();
  o.bind_dn = o.bind_password = "";
  LdapDirectory dir(o);
  auto r = dir.authenticate("alice", "alice-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->groups, (std::vector<std::string>{"deploy", "developers"}));
  expect_bad_credentials(dir.authenticate("alice", "wrong"), "anonymous search, wrong password");
}

TEST_F(LdapTest, WrongServicePasswordIsUnavailable) {
  auto o = options();
  o.bind_password = "not-the-reader-password";
  auto r = LdapDirectory(o).authenticate("alice", "alice-secret");
  expect_unavailable(r, o.url, {"not-the-reader-password", "alice-secret"});
}

TEST_F(LdapTest, MissingUserBaseIsUnavailableNotBadCredentials) {
  auto o = options();
  o.user_base = "ou=nowhere,dc=example,dc=org";
  expect_unavailable(LdapDirectory(o).authenticate("alice", "alice-secret"), o.url,
                     {kReaderPassword, "alice-secret"});
}

TEST_F(LdapTest, StartTlsAgainstAServerWithoutTlsIsUnavailable) {
  auto o = options();
  o.start_tls = true;
  expect_unavailable(LdapDirectory(o).authenticate("alice", "alice-secret"), o.url,
                     {kReaderPassword, "alice-secret"});
}

TEST_F(LdapTest, ConcurrentAuthenticationsAreIndependent) {
  LdapDirectory dir(options());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto good =
            dir.authenticate(t % 2 ? "alice" : "bob", t % 2 ? "alice-secret" : "bob-secret");
        auto bad = dir.authenticate(t % 2 ? "bob" : "alice", "alice-bob-neither");
        bool ok = good && good->groups.size() == 2 && !bad &&
                  bad.error().code == ErrorCode::kInvalidArgument;
        if (!ok) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

class LdapTlsTest : public LdapTest {
 protected:
  bool tls() const override { return true; }
};

TEST_F(LdapTlsTest, LdapsWithTheTestCa) {
  auto o = options_for(slapd_->ldaps_url());
  o.ca_file = slapd_->ca_file();
  auto r = LdapDirectory(o).authenticate("alice", "alice-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->dn, kAliceDn);
  EXPECT_EQ(r->groups, (std::vector<std::string>{"deploy", "developers"}));
  expect_bad_credentials(LdapDirectory(o).authenticate("alice", "wrong"), "ldaps wrong password");
}

TEST_F(LdapTlsTest, StartTlsWithTheTestCa) {
  auto o = options();
  o.start_tls = true;
  o.ca_file = slapd_->ca_file();
  auto r = LdapDirectory(o).authenticate("bob", "bob-secret");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->groups, (std::vector<std::string>{"admins", "auditors"}));
}

TEST_F(LdapTlsTest, UntrustedCertificateIsUnavailable) {
  auto ldaps = options_for(slapd_->ldaps_url());
  ldaps.ca_file = slapd_->other_ca_file();
  expect_unavailable(LdapDirectory(ldaps).authenticate("alice", "alice-secret"), ldaps.url,
                     {kReaderPassword, "alice-secret"});
  auto start_tls = options();
  start_tls.start_tls = true;
  start_tls.ca_file = slapd_->other_ca_file();
  expect_unavailable(LdapDirectory(start_tls).authenticate("alice", "alice-secret"), start_tls.url,
                     {kReaderPassword, "alice-secret"});
}

}  // namespace
}  // namespace bulwark::auth
