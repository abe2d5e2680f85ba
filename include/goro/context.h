// goro/context.h: Go's context package: cancellation, deadlines and
// request-scoped values, flowing down a tree of contexts.
//
// Mirrors Go's `context` (with 1.20-1.21's WithCancelCause, Cause, AfterFunc,
// WithoutCancel, WithDeadlineCause and WithTimeoutCause):
//
//   using namespace goro;
//   auto [ctx, cancel] = context::WithTimeout(context::Background(),
//                                             100 * time::Millisecond);
//   select(case_recv(results, [](int r) { /* use r */ }),
//          case_recv(ctx.Done(), [&] { std::cout << ctx.Err().message() << "\n"; }));
//   cancel();   // always release the context's resources
//
//   static const context::Key<std::string> kUser("user");
//   auto rctx = context::WithValue(ctx, kUser, std::string("gopher"));
//   if (const std::string* u = rctx.Value(kUser)) std::cout << *u << "\n";
//
// Context is a cheap copyable handle (a shared pointer); a default-constructed
// Context is Go's nil context (deriving from it panics "cannot create context
// from nil parent"). Contexts are immutable: With* functions derive children.
//
// Semantics (Go's):
// - Done() is a recv_chan<Empty> that is closed exactly once, when the context
//   is cancelled (by its cancel function, its deadline, or its parent); it is
//   the same channel on every call, and nil for contexts that are never
//   cancelled (Background, TODO, WithoutCancel and their value children).
// - Err() is OkStatus() until Done is closed; then Canceled ("context
//   canceled", kCancelled) or DeadlineExceeded ("context deadline exceeded",
//   kDeadlineExceeded), the same on every call. Cause(ctx) is the cause given to
//   the first cancellation of ctx or an ancestor (or Err() when none was given).
// - Cancellation flows from parent to children with the same error and cause;
//   cancelling a child never affects its parent. A cancelled child removes
//   itself from its parent, and so does a child whose handles are all gone, so
//   long-lived parents do not accumulate dead children.
// - Deadline() is the earliest deadline along the chain: {deadline, true}, or
//   {Time{}, false} when there is none.
// - Value(key) walks the chain towards the root; the innermost match wins. Keys
//   are any copyable, ==-comparable values; keys of different types never match.
//   Key<T> is a typed key: ctx.Value(k) returns const T* directly.
//
// Thread safety: every function and method may be called from any goroutine at
// once; cancel functions may be called concurrently and more than once (calls
// after the first do nothing). Cancelling does not wait for the work to stop.
//
// Memory ordering: a cancellation happens before Done's closing is observed,
// and Err() and Cause() reflect it once Done is seen closed.
//
// Misuse: a nil parent panics "cannot create context from nil parent"; a null
// pointer key panics "nil key"; an incomparable key does not compile.
#ifndef GORO_CONTEXT_H_
#define GORO_CONTEXT_H_

#include <any>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "absl/status/status.h"
#include "goro/chan.h"
#include "goro/panic.h"
#include "goro/time.h"

namespace goro::context {

// Go's context.Canceled and context.DeadlineExceeded.
inline const absl::Status Canceled = absl::CancelledError("context canceled");
inline const absl::Status DeadlineExceeded =
    absl::DeadlineExceededError("context deadline exceeded");

// Go's errors.Is(err, context.Canceled) / errors.Is(err, context.DeadlineExceeded):
// true for the status itself and for one that wraps it ("fetch: context canceled",
// with the same code).
bool IsCanceled(const absl::Status& err);
bool IsDeadlineExceeded(const absl::Status& err);

template <class T>
class Key;

namespace internal {

struct ContextImpl;
struct CancelCtx;

// A key as the value lookup sees it: its type and an equality test.
using KeyEq = bool (*)(const std::any& stored, const void* probe);
template <class K>
bool KeyEqual(const std::any& stored, const void* probe) {
  return *std::any_cast<K>(&stored) == *static_cast<const K*>(probe);
}
const std::any* LookupValue(const ContextImpl* c, const std::type_info& type,
                            const void* probe, KeyEq eq);
std::shared_ptr<ContextImpl> NewValueCtx(std::shared_ptr<ContextImpl> parent, std::any key,
                                         KeyEq eq, std::string key_name, std::any value,
                                         std::string value_str);
std::string TypeName(const std::type_info& t);
[[noreturn]] void NilParent();

template <class V>
std::string Stringify(const V& v) {
  if constexpr (std::is_same_v<V, std::nullptr_t>) {
    return "<not Stringer>";  // Go 1.19's stringify(nil)
  } else if constexpr (std::is_convertible_v<const V&, std::string_view> &&
                       !std::is_pointer_v<V>) {
    return std::string(std::string_view(v));
  } else if constexpr (requires { { v.String() } -> std::convertible_to<std::string>; }) {
    return v.String();
  } else {
    return "<not Stringer>";
  }
}

}  // namespace internal

// Context is Go's context.Context.
class Context {
 public:
  // The nil context.
  Context() = default;
  Context(std::nullptr_t) {}  // NOLINT

  // Deadline returns {deadline, true}, or {Time{}, false} with no deadline.
  std::pair<time::Time, bool> Deadline() const;
  // Done is closed when the context is cancelled; nil if it never can be.
  recv_chan<Empty> Done() const;
  // Err is OkStatus() until Done is closed, then Canceled or DeadlineExceeded.
  absl::Status Err() const;

  // Value returns the value for key as std::any (empty when no context on the
  // chain holds key): Go's ctx.Value(key).
  template <int&... ExplicitArgumentBarrier, class K>
  std::any Value(const K& key) const {
    const std::any* v = Find(key);
    return v == nullptr ? std::any() : *v;
  }
  // Value<T>(key) returns the value as const T*: null when absent or not a T.
  // The pointer stays valid while this context (or a descendant) exists.
  template <class T, class K>
  const T* Value(const K& key) const {
    return std::any_cast<T>(Find(key));
  }
  // Value(Key<T>) returns const T* (null when absent).
  template <class T>
  const T* Value(const Key<T>& key) const {
    return std::any_cast<T>(Find(key));
  }

  // String describes the chain as Go does: "context.Background.WithCancel".
  std::string String() const;

  explicit operator bool() const { return impl_ != nullptr; }
  friend bool operator==(const Context& a, const Context& b) { return a.impl_ == b.impl_; }
  friend bool operator==(const Context& a, std::nullptr_t) { return a.impl_ == nullptr; }

  // Not for users: the implementation handle.
  explicit Context(std::shared_ptr<internal::ContextImpl> impl) : impl_(std::move(impl)) {}
  const std::shared_ptr<internal::ContextImpl>& impl() const { return impl_; }

 private:
  template <class K>
  const std::any* Find(const K& key) const {
    if (impl_ == nullptr) return nullptr;
    return internal::LookupValue(impl_.get(), typeid(K), &key, &internal::KeyEqual<K>);
  }
  std::shared_ptr<internal::ContextImpl> impl_;
};

// Key<T> is a typed context key. Every Key constructed is a distinct key (as a
// Go variable of an unexported key type); copies of it are the same key.
//
//   inline const goro::context::Key<int> kRequestID("request-id");
//   ctx = goro::context::WithValue(ctx, kRequestID, 42);
//   const int* id = ctx.Value(kRequestID);
template <class T>
class Key {
 public:
  explicit Key(std::string name = "") : id_(std::make_shared<const std::string>(std::move(name))) {}
  const std::string& name() const { return *id_; }
  friend bool operator==(const Key& a, const Key& b) { return a.id_ == b.id_; }

 private:
  std::shared_ptr<const std::string> id_;
};

// CancelFunc cancels its context (Go's context.CancelFunc). Copyable; keeps the
// context alive; calls after the first do nothing.
class CancelFunc {
 public:
  CancelFunc() = default;
  void operator()() const;
  explicit operator bool() const { return c_ != nullptr; }

  explicit CancelFunc(std::shared_ptr<internal::CancelCtx> c) : c_(std::move(c)) {}

 private:
  std::shared_ptr<internal::CancelCtx> c_;
};

// CancelCauseFunc cancels with a cause (Go's context.CancelCauseFunc);
// OkStatus() (Go's nil) records Canceled as the cause.
class CancelCauseFunc {
 public:
  CancelCauseFunc() = default;
  void operator()(const absl::Status& cause = absl::OkStatus()) const;
  explicit operator bool() const { return c_ != nullptr; }

  explicit CancelCauseFunc(std::shared_ptr<internal::CancelCtx> c) : c_(std::move(c)) {}

 private:
  std::shared_ptr<internal::CancelCtx> c_;
};

// Background and TODO: never cancelled, no values, no deadline.
Context Background();
Context TODO();

// WithCancel: auto [ctx, cancel] = WithCancel(parent);
std::pair<Context, CancelFunc> WithCancel(const Context& parent);
// WithCancelCause: cancel(cause) records cause for Cause(ctx).
std::pair<Context, CancelCauseFunc> WithCancelCause(const Context& parent);
// WithDeadline: cancelled with DeadlineExceeded at d (or at once if d has
// passed); a parent's earlier deadline wins.
std::pair<Context, CancelFunc> WithDeadline(const Context& parent, time::Time d);
// WithTimeout(parent, t) is WithDeadline(parent, time::Now().Add(t)).
std::pair<Context, CancelFunc> WithTimeout(const Context& parent, time::Duration timeout);
// The *Cause forms record cause when the deadline passes (Go 1.21); the
// returned CancelFunc does not set it.
std::pair<Context, CancelFunc> WithDeadlineCause(const Context& parent, time::Time d,
                                                 const absl::Status& cause);
std::pair<Context, CancelFunc> WithTimeoutCause(const Context& parent, time::Duration timeout,
                                                const absl::Status& cause);
// WithoutCancel keeps parent's values but is never cancelled (Go 1.21).
Context WithoutCancel(const Context& parent);

// WithValue returns a child holding value under key. A C string value is
// stored as std::string (Go's string).
template <class K, class V>
Context WithValue(const Context& parent, K key, V value) {
  static_assert(!std::is_same_v<std::decay_t<K>, std::nullptr_t>, "context: nil key");
  static_assert(std::equality_comparable<K>, "context: key is not comparable");
  if (parent.impl() == nullptr) internal::NilParent();
  if constexpr (std::is_pointer_v<K>) {
    if (key == nullptr) throw Panic("nil key");
  }
  using Stored = std::conditional_t<std::is_same_v<V, const char*> || std::is_same_v<V, char*>,
                                    std::string, V>;
  if constexpr (std::is_same_v<V, const char*> || std::is_same_v<V, char*>) {
    if (value == nullptr) throw Panic("context: WithValue of a null C string");
  }
  Stored stored(std::move(value));
  std::string value_str = internal::Stringify(stored);
  return Context(internal::NewValueCtx(parent.impl(), std::any(std::move(key)),
                                       &internal::KeyEqual<K>, internal::TypeName(typeid(K)),
                                       std::any(std::move(stored)), std::move(value_str)));
}
// A Key<T> stores a T (the value is converted to T).
template <class T, class V>
Context WithValue(const Context& parent, const Key<T>& key, V&& value) {
  return WithValue<Key<T>, T>(parent, key, T(std::forward<V>(value)));
}

// Cause returns why ctx was cancelled: the cause given to the first
// cancellation of ctx or an ancestor; Err() if none was given; OkStatus() while
// ctx is not cancelled.
absl::Status Cause(const Context& ctx);

// AfterFunc arranges for f to run in its own goroutine once ctx is done (at once
// if it already is). Calling the returned stop() unregisters f: it returns true
// if that stopped f from running, false if f has started or stop was called.
std::function<bool()> AfterFunc(const Context& ctx, std::function<void()> f);

namespace internal {
// For tests: the number of children registered on ctx's cancellation node
// (0 for contexts that have none).
size_t NumChildren(const Context& ctx);
}  // namespace internal

}  // namespace goro::context

#endif  // GORO_CONTEXT_H_
