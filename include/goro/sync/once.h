// goro/sync/once.h: Go's sync.Once, OnceFunc, OnceValue and OnceValues.
//
// Once mirrors Go's sync.Once: an object that runs one function exactly once.
//
//   goro::sync::Once once;
//   Config* cfg = nullptr;
//   once.Do([&] { cfg = LoadConfig(); });   // once.Do(func() { cfg = loadConfig() })
//
//   auto get = goro::sync::OnceValue([] { return Expensive(); });   // Go 1.21
//   int v = get();                          // runs Expensive once; later calls reuse v
//
// Once::Do(f): only the first call runs f, even if later calls pass another
// function; no call returns before that f has returned (they block, handing
// their worker's slot on). If f throws, Do counts f as done and the exception
// propagates out of the call that ran f; later calls do nothing (Go: "if f
// panics, Do considers it to have returned"). Calling Do on the same Once from
// inside f deadlocks, as in Go.
//
// OnceFunc(f), OnceValue(f), OnceValues(f) (Go 1.21) return a callable that
// runs f at most once, whichever goroutine calls it first, and returns what f
// returned (by value) on every call; OnceValues's f returns two values as a
// std::pair, std::tuple or std::array of two, and the callable returns a
// std::pair that unpacks with structured bindings. If f threw, every call
// rethrows that same exception object. The callables are copyable and copies
// share one state, as Go's function values do; f itself is destroyed once it
// has run.
//
// Thread safety: Do and the callables may be called from any goroutine or
// thread at once.
//
// Memory ordering: the return of f happens before the return of every Do (and
// of every call of the callables).
//
// Misuse: a Once is neither copyable nor movable; its default constructor is
// constexpr.
#ifndef GORO_SYNC_ONCE_H_
#define GORO_SYNC_ONCE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goro/sync/mutex.h"

namespace goro::sync {

class Once {
 public:
  constexpr Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  // Do calls f if and only if Do is being called for the first time on this
  // Once. See the header comment.
  template <class F>
  void Do(F&& f) {
    if (done_.load(std::memory_order_acquire) != 0) return;  // the inline fast path
    DoSlow(f);
  }

 private:
  template <class F>
  void DoSlow(F& f) {
    std::lock_guard<Mutex> hold(m_);
    if (done_.load(std::memory_order_relaxed) != 0) return;
    // Set done before m_ is unlocked, also when f throws.
    struct MarkDone {
      std::atomic<uint32_t>& done;
      ~MarkDone() { done.store(1, std::memory_order_release); }
    } mark{done_};
    std::invoke(f);
  }

  std::atomic<uint32_t> done_{0};
  Mutex m_;
};

}  // namespace goro::sync

namespace goro::internal {

// OnceState is what the copies of one OnceFunc/OnceValue callable share.
template <class F, class R>
struct OnceState {
  explicit OnceState(F&& fn) : f(std::move(fn)) {}
  sync::Once once;
  std::optional<F> f;
  std::exception_ptr err;
  std::conditional_t<std::is_void_v<R>, char, std::optional<R>> value;

  void Run() {
    once.Do([this] {
      try {
        if constexpr (std::is_void_v<R>) {
          std::invoke(*f);
        } else {
          value.emplace(std::invoke(*f));
        }
      } catch (...) {
        err = std::current_exception();
      }
      f.reset();
    });
    if (err) std::rethrow_exception(err);
  }
};

template <class F>
using OnceResult = std::decay_t<std::invoke_result_t<std::decay_t<F>&>>;

}  // namespace goro::internal

namespace goro::sync {

// OnceFunc returns a callable that calls f only once, however many times and
// from however many goroutines it is called. If f throws, every call rethrows.
template <class F>
  requires std::is_void_v<std::invoke_result_t<std::decay_t<F>&>>
auto OnceFunc(F&& f) {
  using Fn = std::decay_t<F>;
  auto st = std::make_shared<::goro::internal::OnceState<Fn, void>>(Fn(std::forward<F>(f)));
  return [st]() -> void { st->Run(); };
}

// OnceValue returns a callable that calls f only once and returns the value
// f returned, on every call. If f throws, every call rethrows.
template <class F>
  requires(!std::is_void_v<std::invoke_result_t<std::decay_t<F>&>>)
auto OnceValue(F&& f) {
  using Fn = std::decay_t<F>;
  using R = ::goro::internal::OnceResult<F>;
  auto st = std::make_shared<::goro::internal::OnceState<Fn, R>>(Fn(std::forward<F>(f)));
  return [st]() -> R {
    st->Run();
    return *st->value;
  };
}

// OnceValues returns a callable that calls f only once and returns the two
// values f returned, as a std::pair, on every call. If f throws, every call
// rethrows.
template <class F>
  requires(std::tuple_size<::goro::internal::OnceResult<F>>::value == 2)
auto OnceValues(F&& f) {
  using Fn = std::decay_t<F>;
  using R = ::goro::internal::OnceResult<F>;
  using Pair = std::pair<std::tuple_element_t<0, R>, std::tuple_element_t<1, R>>;
  auto st = std::make_shared<::goro::internal::OnceState<Fn, R>>(Fn(std::forward<F>(f)));
  return [st]() -> Pair {
    st->Run();
    const R& r = *st->value;
    return Pair(std::get<0>(r), std::get<1>(r));
  };
}

}  // namespace goro::sync

#endif  // GORO_SYNC_ONCE_H_
