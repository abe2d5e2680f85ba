// goro/atomic.h: Go's sync/atomic typed values.
//
// Mirrors Go's atomic.Int32, Int64, Uint32, Uint64, Uintptr, Bool, Pointer[T]
// (Go 1.19) and Value, with Go's method names: Load, Store, Swap,
// CompareAndSwap, Add, and And/Or (Go 1.23: they return the OLD value).
//
//   goro::atomic::Int64 ops;                  // var ops atomic.Int64
//   goro::sync::WaitGroup wg;
//   for (int i = 0; i < 50; i++) {
//     wg.Go([&] { ops.Add(1); });             // ops.Add(1)
//   }
//   wg.Wait();
//   std::printf("%lld\n", (long long)ops.Load());  // fmt.Println(ops.Load()) // 50
//
//   goro::atomic::Value config;               // var config atomic.Value
//   config.Store(Config{...});                // config.Store(loadConfig())
//   Config c = *config.Load<Config>();        // c := config.Load().(Config)
//
// Thread safety: every method may be called from any goroutine or thread at
// any time, concurrently with any other method of the same object.
//
// Memory ordering: as in Go, every operation is sequentially consistent (Go's
// memory model: "if the effect of an atomic operation A is observed by atomic
// operation B, then A is synchronized before B", and all of them behave as if
// executed in one total order). So a Store that a Load observes makes
// everything written before the Store visible after the Load.
//
// Progress: Int*, Uint*, Bool and Pointer are single hardware atomics
// (lock-free, std::atomic). Value::Load is lock-free too, but each Load copies
// the stored std::any out of a heap box kept alive by a hazard pointer, and
// each Store/Swap allocates a new box and retires the old one
// (goro/internal/hazard.h); old boxes are freed once no Load reads them.
//
// Misuse: every type is zero-initialized (zero, false, nullptr, empty Value),
// and, like Go's (noCopy), neither copyable nor movable. Value panics with Go's
// messages: Store/Swap/CompareAndSwap of an empty std::any ("sync/atomic: store
// of nil value into Value", "... swap of nil value ...", "... compare and swap
// of nil value ..."), and of a type other than the first one stored ("sync/atomic:
// store of inconsistently typed value into Value", and the swap / compare and
// swap variants). CompareAndSwap compares with the type's operator==: a Value
// only ever given std::any arguments (never a typed call) has no operator== to
// use and panics "runtime error: comparing uncomparable type <name>", as Go
// does for uncomparable types.
#ifndef GORO_ATOMIC_H_
#define GORO_ATOMIC_H_

#include <any>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "goro/internal/hazard.h"

namespace goro::atomic {
namespace internal {

// Integer is the shared body of Int32, Int64, Uint32, Uint64 and Uintptr.
template <class T>
class Integer {
 public:
  constexpr Integer() noexcept = default;
  constexpr explicit Integer(T v) noexcept : v_(v) {}
  Integer(const Integer&) = delete;
  Integer& operator=(const Integer&) = delete;

  // Load atomically loads and returns the value.
  T Load() const noexcept { return v_.load(); }
  // Store atomically stores v.
  void Store(T v) noexcept { v_.store(v); }
  // Swap atomically stores v and returns the previous value.
  T Swap(T v) noexcept { return v_.exchange(v); }
  // CompareAndSwap executes the compare-and-swap operation: if the value is
  // old, it becomes v and CompareAndSwap returns true.
  bool CompareAndSwap(T old, T v) noexcept { return v_.compare_exchange_strong(old, v); }
  // Add atomically adds delta (wrapping around, as Go's) and returns the new value.
  T Add(T delta) noexcept {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(v_.fetch_add(delta)) + static_cast<U>(delta));
  }
  // And atomically ANDs in mask and returns the old value (Go 1.23).
  T And(T mask) noexcept { return v_.fetch_and(mask); }
  // Or atomically ORs in mask and returns the old value (Go 1.23).
  T Or(T mask) noexcept { return v_.fetch_or(mask); }

 private:
  std::atomic<T> v_{0};
  static_assert(std::atomic<T>::is_always_lock_free);
};

}  // namespace internal

// Int32 is an atomic int32 (Go's atomic.Int32). The zero value is zero.
class Int32 : public internal::Integer<int32_t> {
 public:
  using Integer::Integer;
};
// Int64 is an atomic int64 (Go's atomic.Int64).
class Int64 : public internal::Integer<int64_t> {
 public:
  using Integer::Integer;
};
// Uint32 is an atomic uint32 (Go's atomic.Uint32).
class Uint32 : public internal::Integer<uint32_t> {
 public:
  using Integer::Integer;
};
// Uint64 is an atomic uint64 (Go's atomic.Uint64).
class Uint64 : public internal::Integer<uint64_t> {
 public:
  using Integer::Integer;
};
// Uintptr is an atomic uintptr (Go's atomic.Uintptr).
class Uintptr : public internal::Integer<uintptr_t> {
 public:
  using Integer::Integer;
};

// Bool is an atomic boolean (Go's atomic.Bool). The zero value is false.
class Bool {
 public:
  constexpr Bool() noexcept = default;
  constexpr explicit Bool(bool v) noexcept : v_(v) {}
  Bool(const Bool&) = delete;
  Bool& operator=(const Bool&) = delete;

  // Load atomically loads and returns the value.
  bool Load() const noexcept { return v_.load(); }
  // Store atomically stores v.
  void Store(bool v) noexcept { v_.store(v); }
  // Swap atomically stores v and returns the previous value.
  bool Swap(bool v) noexcept { return v_.exchange(v); }
  // CompareAndSwap: if the value is old, it becomes v and it returns true.
  bool CompareAndSwap(bool old, bool v) noexcept { return v_.compare_exchange_strong(old, v); }

 private:
  std::atomic<bool> v_{false};
};

// Pointer is an atomic T* (Go's atomic.Pointer[T]). The zero value is nullptr.
// It owns nothing: what the pointer names must outlive every goroutine that
// may still Load it (Go's garbage collector does this for Go; in C++ use
// goro::lockfree::RCU when readers and writers share a value that changes).
template <class T>
class Pointer {
 public:
  constexpr Pointer() noexcept = default;
  constexpr explicit Pointer(T* v) noexcept : v_(v) {}
  Pointer(const Pointer&) = delete;
  Pointer& operator=(const Pointer&) = delete;

  // Load atomically loads and returns the value.
  T* Load() const noexcept { return v_.load(); }
  // Store atomically stores v.
  void Store(T* v) noexcept { v_.store(v); }
  // Swap atomically stores v and returns the previous value.
  T* Swap(T* v) noexcept { return v_.exchange(v); }
  // CompareAndSwap: if the value is old, it becomes v and it returns true.
  bool CompareAndSwap(T* old, T* v) noexcept { return v_.compare_exchange_strong(old, v); }

 private:
  std::atomic<T*> v_{nullptr};
};

// Value holds a std::any that is loaded and stored atomically (Go's
// atomic.Value). The zero Value is empty: Load returns an empty std::any. Once
// Store has been called, every later store must use the same type.
class Value {
 public:
  Value() noexcept = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  ~Value();

  // Load returns a copy of the value set by the most recent Store, or an
  // empty std::any if there has been no Store.
  std::any Load() const;

  // Load<T> returns a copy of the value if it holds a T, else std::nullopt
  // (Go's `x, ok := v.Load().(T)`).
  template <class T>
  std::optional<T> Load() const {
    goro::internal::hazard::Guard g;
    const Box* b = g.Protect(box_);
    if (b == nullptr || b->v.type() != typeid(T)) return std::nullopt;
    return std::any_cast<const T&>(b->v);
  }

  // Store sets the value to v. Panics on an empty v or on a type other than
  // the first one stored.
  void Store(std::any v);
  template <class T>
    requires(!std::same_as<std::decay_t<T>, std::any>)
  void Store(T&& v) {
    NoteEqual<std::decay_t<T>>();
    Store(std::any(std::forward<T>(v)));
  }

  // Swap stores v and returns the previous value (empty if there was none).
  // Same panics as Store, with "swap" for "store".
  std::any Swap(std::any v);
  template <class T>
    requires(!std::same_as<std::decay_t<T>, std::any>)
  std::any Swap(T&& v) {
    NoteEqual<std::decay_t<T>>();
    return Swap(std::any(std::forward<T>(v)));
  }

  // CompareAndSwap stores v if the value equals old (an empty old matches only
  // an empty Value) and reports whether it did. Panics as Go's does: an empty
  // v, old and v of different types ("sync/atomic: compare and swap of
  // inconsistently typed values"), or v of a type other than the stored one.
  // Like Go's, it may return false when a concurrent Store put an equal value.
  bool CompareAndSwap(const std::any& old, std::any v);
  template <class T>
    requires(!std::same_as<std::decay_t<T>, std::any>)
  bool CompareAndSwap(const T& old, const T& v) {
    NoteEqual<T>();
    return CompareAndSwap(std::any(old), std::any(v));
  }

 private:
  struct Box : goro::internal::hazard::Retired {
    std::any v;
  };
  using EqualFn = bool (*)(const std::any&, const std::any&);

  template <class T>
  void NoteEqual() {
    if constexpr (std::equality_comparable<T>) {
      if (eq_.load(std::memory_order_relaxed) == nullptr) {
        EqualFn fn = [](const std::any& a, const std::any& b) {
          return std::any_cast<const T&>(a) == std::any_cast<const T&>(b);
        };
        SetEqual(typeid(T), fn);
      }
    }
  }
  void SetEqual(const std::type_info& t, EqualFn fn);
  // CheckType records t as the Value's type, or panics with what if another
  // type is recorded. Returns false if the Value had no type yet.
  bool CheckType(const std::type_info& t, const char* what);
  static Box* NewBox(std::any v);
  static void DeleteBox(goro::internal::hazard::Retired* r);

  std::atomic<Box*> box_{nullptr};
  std::atomic<const std::type_info*> type_{nullptr};
  std::atomic<EqualFn> eq_{nullptr};
  std::atomic<const std::type_info*> eq_type_{nullptr};
};

}  // namespace goro::atomic

#endif  // GORO_ATOMIC_H_
