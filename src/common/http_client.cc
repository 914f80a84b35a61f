#include "common/http_client.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <memory>
#include <mutex>

namespace bulwark {
namespace {

using Code = ErrorCode;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// What the transfer callbacks fill in.
struct Transfer {
  HttpClientResponse response;
  size_t max_body = 0;
  bool too_large = false;
  // Streaming (http_fetch_stream): the body goes to `sink` instead of response.body.
  const HttpBodySink* sink = nullptr;
  CURL* curl = nullptr;
  size_t received = 0;
  bool sink_aborted = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->received + n > t->max_body) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->received += n;
  if (t->sink == nullptr) {
    t->response.body.append(data, n);
    return n;
  }
  if (t->response.status == 0) {  // the headers are complete once the body starts
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    t->response.status = static_cast<int>(status);
  }
  if (!(*t->sink)(t->response, std::string_view(data, n))) {
    t->sink_aborted = true;
    return 0;
  }
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after 1xx): keep only the final one's
    t->response.status = 0;
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the headers
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return n;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::optional<std::string_view> HttpClientResponse::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string percent_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string basic_authorization(std::string_view user_id, std::string_view password) {
  std::string plain = std::string(user_id) + ":" + std::string(password);
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  OPENSSL_cleanse(plain.data(), plain.size());
  return "Basic " + out;
}

std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

namespace {

// One request; streams the body to `sink` when it is set.
Result<HttpClientResponse> perform(const HttpClientRequest& request, const HttpBodySink* sink) {
  auto url = boost::urls::parse_absolute_uri(request.url);
  if (!url) return fail(Code::kInvalidArgument, "outbound request URL is not a valid absolute URL");
  std::string scheme(url->scheme());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") {
    return fail(Code::kInvalidArgument, "outbound request URL is not http or https");
  }
  // What error messages call the request: never the user info or query.
  std::string what = request.method + " " + scheme + "://" +
                     std::string(url->encoded_host_and_port()) +
                     std::string(url->encoded_path());
  if (request.method.empty() || has_line_break(request.method)) {
    return fail(Code::kInvalidArgument, "outbound request has an invalid method");
  }

  global_init();
  std::unique_ptr<CURL, EasyFree> curl(curl_easy_init());
  if (!curl) return fail(Code::kInternal, what + ": cannot create a curl handle");
  CURL* c = curl.get();

  // No "Expect: 100-continue" round trip for request bodies. (Appending to a non-empty list
  // keeps its head, so `headers` owns everything appended below.)
  std::unique_ptr<curl_slist, SlistFree> headers(curl_slist_append(nullptr, "Expect:"));
  if (!headers) return fail(Code::kInternal, what + ": out of memory");
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      return fail(Code::kInvalidArgument, what + ": invalid request header");
    }
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    if (curl_slist_append(headers.get(), line.c_str()) == nullptr) {
      return fail(Code::kInternal, what + ": out of memory");
    }
  }

  Transfer transfer;
  transfer.max_body = request.max_response_bytes;
  transfer.sink = sink;
  transfer.curl = c;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const long timeout_ms = std::max(1, request.timeout_seconds) * 1000L;

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (sink == nullptr) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  } else {  // a stall, not the whole exchange: at least a byte per second over the timeout
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_ms / 1000);
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "bulwark");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(std::min<size_t>(request.max_response_bytes,
                                                            size_t{1} << 62)));
  if (!request.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.tls_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return fail(Code::kTooLarge, what + ": response body larger than " +
                                     std::to_string(request.max_response_bytes) + " bytes");
  }
  if (transfer.sink_aborted) return fail(Code::kUnavailable, what + ": transfer aborted");
  if (rc != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(rc);
    Code code = rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT
                    ? Code::kInvalidArgument
                    : Code::kUnavailable;
    return fail(code, what + " failed: " + detail);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace

Result<HttpClientResponse> http_fetch(const HttpClientRequest& request) {
  return perform(request, nullptr);
}

Result<HttpClientResponse> http_fetch_stream(const HttpClientRequest& request,
                                             const HttpBodySink& sink) {
  return perform(request, &sink);
}

}  // namespace bulwark
