// Headers, Request helpers, and run_blocking() over the process-wide worker pool.
#include "http/http.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/pct_string_view.hpp>

#include "http/internal.h"

namespace bulwark::http {
namespace asio = boost::asio;

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// The pool behind run_blocking(), shared by every running Server (normally exactly one).
struct WorkerPoolRegistry {
  std::mutex mu;
  std::shared_ptr<asio::thread_pool> pool;
  int users = 0;
};

WorkerPoolRegistry& registry() {
  static WorkerPoolRegistry instance;
  return instance;
}

std::shared_ptr<asio::thread_pool> current_pool() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  return r.pool;
}

}  // namespace

namespace internal {

void acquire_worker_pool(int threads) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  if (r.users++ == 0) r.pool = std::make_shared<asio::thread_pool>(static_cast<size_t>(std::max(1, threads)));
}

void release_worker_pool() {
  std::shared_ptr<asio::thread_pool> retired;
  {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    if (r.users == 0) return;
    if (--r.users == 0) retired = std::move(r.pool);
  }
  if (retired) retired->join();
}

std::optional<std::string> percent_decode(std::string_view text) {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  auto pct = boost::urls::make_pct_string_view(text);
  if (!pct) return std::nullopt;
  return pct->decode();
}

}  // namespace internal

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& field) { return iequals(field.first, name); });
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    auto decoded_key = internal::percent_decode(key);
    if (!decoded_key || *decoded_key != name) continue;
    if (eq == std::string_view::npos) return std::string();
    auto value = internal::percent_decode(pair.substr(eq + 1));
    if (value) return value;  // a malformed value is treated as absent
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  auto decode = [](std::string_view part) {
    std::string spaced(part);
    std::replace(spaced.begin(), spaced.end(), '+', ' ');
    return internal::percent_decode(spaced);
  };
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (key && value) fields.emplace_back(std::move(*key), std::move(*value));
  }
  return fields;
}

namespace {

// Runs `job` on `pool`, then `done(error)` on `owner` (kept from running out of work meanwhile),
// where `error` is the job's exception or null.
template <class Executor, class Done>
void post_job(asio::thread_pool& pool, const Executor& owner, std::function<void()> job, Done done) {
  auto work = asio::prefer(owner, asio::execution::outstanding_work.tracked);
  asio::post(pool, [job = std::move(job), done = std::move(done), work = std::move(work)]() mutable {
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    asio::post(work, [done = std::move(done), error]() mutable { std::move(done)(error); });
  });
}

}  // namespace

Task<void> run_blocking(std::function<void()> fn) {
  std::shared_ptr<asio::thread_pool> pool = current_pool();
  if (!pool) {
    fn();
    co_return;
  }
  // The completion carries the job's exception (if any); use_awaitable rethrows a non-null one
  // in the awaiting coroutine, which resumes on its own executor.
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
      [](auto handler, std::shared_ptr<asio::thread_pool> pool, std::function<void()> job) {
        auto owner = asio::get_associated_executor(handler);
        post_job(*pool, owner, std::move(job), std::move(handler));
      },
      asio::use_awaitable, std::move(pool), std::move(fn));
}

Task<void> sleep_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  boost::system::error_code ec;  // cancelled at shutdown: return early
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Completion is signalled by cancelling a timer on the owner's executor, so `done`, `error` and
// the timer are only touched on that executor's thread.
struct BackgroundJob::State {
  explicit State(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool done = false;  // owner's executor only, like `error` and `timer`
  std::exception_ptr error;

  // Successors, touched on the pool's and the owner's threads alike.
  std::mutex chain_mu;
  bool ran = false;  // guarded by chain_mu: the job's function has returned
  std::vector<std::function<void()>> successors;  // guarded by chain_mu: run once `ran`

  // Marks the function as returned and tells the successors. Pool thread.
  void finished_running() {
    std::vector<std::function<void()>> waiting;
    {
      std::lock_guard lock(chain_mu);
      ran = true;
      waiting.swap(successors);
    }
    for (auto& successor : waiting) successor();
  }
  // Runs `successor` once this job's function has returned (at once if it has).
  void then(std::function<void()> successor) {
    {
      std::lock_guard lock(chain_mu);
      if (!ran) {
        successors.push_back(std::move(successor));
        return;
      }
    }
    successor();
  }
};

Task<std::unique_ptr<BackgroundJob>> BackgroundJob::start(std::function<void()> fn) {
  co_return co_await start_after(nullptr, std::move(fn));
}

Task<std::unique_ptr<BackgroundJob>> BackgroundJob::start_after(const BackgroundJob* previous,
                                                               std::function<void()> fn) {
  std::shared_ptr<State> before = previous != nullptr ? previous->state_ : nullptr;
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(executor);
  std::shared_ptr<asio::thread_pool> pool = current_pool();
  if (!pool) {  // inline: `previous` has already run
    try {
      fn();
    } catch (...) {
      state->error = std::current_exception();
    }
    state->ran = true;
    state->done = true;
    co_return std::unique_ptr<BackgroundJob>(new BackgroundJob(std::move(state)));
  }
  auto launch = [pool, executor, state, fn = std::move(fn)]() mutable {
    auto job = [fn = std::move(fn), state] {
      struct Finished {  // tells the successors even when `fn` throws
        State& state;
        ~Finished() { state.finished_running(); }
      } finished{*state};
      fn();
    };
    post_job(*pool, executor, std::move(job), [state](std::exception_ptr error) {
      state->error = error;
      state->done = true;
      state->timer.cancel();
    });
  };
  if (before) {
    before->then(std::move(launch));
  } else {
    launch();
  }
  co_return std::unique_ptr<BackgroundJob>(new BackgroundJob(std::move(state)));
}

Task<void> BackgroundJob::wait() {
  if (!state_->done) {
    boost::system::error_code ec;
    co_await state_->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (state_->error) std::rethrow_exception(state_->error);
}

BackgroundJob::~BackgroundJob() = default;

}  // namespace bulwark::http
