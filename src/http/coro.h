// Coroutine helpers for modules that write or test Handlers: the Asio pieces needed to co_await a
// Task<T> and to start one, without Beast. Asio is compiled once in bulwark_http (asio_impl.cc),
// so including this header is cheap and linking bulwark_http supplies the definitions.
//
// sync_wait() is for tests and command-line tools: it runs a Task to completion on a private
// io_context in the calling thread. Thread-safe (each call has its own context).
#pragma once

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/http.h"

namespace bulwark::http {

// Runs `task` to completion on a fresh io_context and returns its value (rethrows its exception).
// REQUIRES: not called from inside an I/O thread of a running Server (it would block that thread).
template <class T>
T sync_wait(Task<T> task) {
  boost::asio::io_context ioc(1);
  std::exception_ptr error;
  std::optional<T> value;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) value.emplace(std::move(v));
  });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

inline void sync_wait(Task<void> task) {
  boost::asio::io_context ioc(1);
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace bulwark::http
