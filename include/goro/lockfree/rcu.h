// goro/lockfree/rcu.h: lockfree::RCU<T>, a read-copy-update cell. Readers take
// a snapshot without locking or blocking; writers copy the current value,
// modify the copy and publish it; an old version is freed only when no reader
// holds it any more.
//
// Go's counterpart is an atomic.Pointer[T] (or atomic.Value) holding an
// immutable value, with the garbage collector freeing old versions (the
// "read-mostly" example of sync/atomic). goro cannot rely on a collector, so
// RCU<T> owns its versions and reclaims them with hazard pointers.
//
//   goro::lockfree::RCU<Config> config(LoadConfig());     // var config atomic.Pointer[Config]
//   // readers, any number, never block:
//   auto cfg = config.Load();                             // cfg := config.Load()
//   Serve(cfg->Port);                                     // serve(cfg.Port)
//   // writers:
//   config.Update([](const Config& c) {                   // for { old := config.Load()
//     Config n = c;                                       //   n := *old
//     n.Port = 8081;                                      //   n.Port = 8081
//     return n;                                           //   if config.CompareAndSwap(old, &n) { break } }
//   });
//
// Snapshot: Load returns a Snapshot, a movable handle that keeps its version
// alive and unchanged for as long as it exists (`*s`, `s->field`). It may be
// passed to another goroutine and kept across blocking calls: it pins that one
// version only, never the reclamation of any other.
//
// Thread safety: Load, Store, Update and CompareAndSwap may be called from any
// number of goroutines and threads at once.
//
// Memory ordering: everything a writer did before publishing a version (Store,
// or a successful Update or CompareAndSwap) is visible to every reader whose
// Load returns that version. Operations are sequentially consistent.
//
// Progress: Load is lock-free (it publishes a hazard pointer and re-checks;
// it retries only while writers keep publishing). Store is wait-free apart
// from its allocation. Update is lock-free: f runs on the current version and
// its result is published with a CAS; if another writer published first, f
// runs again on the newer version, so f may be called several times and must
// not have side effects. With many writers, a mutex does better (see
// docs/lockfree.md).
//
// Lifetime: an RCU is an object, neither copyable nor movable. Snapshots may
// outlive it: its last version is freed when the last Snapshot of it goes.
#ifndef GORO_LOCKFREE_RCU_H_
#define GORO_LOCKFREE_RCU_H_

#include <atomic>
#include <utility>

#include "goro/internal/hazard.h"

namespace goro::lockfree {

template <class T>
class RCU {
  struct Version : goro::internal::hazard::Retired {
    explicit Version(T v) : value(std::move(v)) { deleter = &Delete; }
    static void Delete(goro::internal::hazard::Retired* r) { delete static_cast<Version*>(r); }
    const T value;
  };

 public:
  // Snapshot is a read-only view of one version (see above). A
  // default-constructed or moved-from Snapshot is empty (operator bool false).
  class Snapshot {
   public:
    Snapshot() = default;
    Snapshot(Snapshot&& o) noexcept : slot_(std::exchange(o.slot_, nullptr)),
                                      v_(std::exchange(o.v_, nullptr)) {}
    Snapshot& operator=(Snapshot&& o) noexcept {
      if (this != &o) {
        Reset();
        slot_ = std::exchange(o.slot_, nullptr);
        v_ = std::exchange(o.v_, nullptr);
      }
      return *this;
    }
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    ~Snapshot() { Reset(); }

    const T& operator*() const { return v_->value; }
    const T* operator->() const { return &v_->value; }
    const T* get() const { return v_ ? &v_->value : nullptr; }
    explicit operator bool() const { return v_ != nullptr; }

   private:
    friend class RCU;
    Snapshot(goro::internal::hazard::Slot* s, const Version* v) : slot_(s), v_(v) {}
    void Reset() {
      if (slot_) goro::internal::hazard::ReleaseSlot(slot_);
      slot_ = nullptr;
      v_ = nullptr;
    }
    goro::internal::hazard::Slot* slot_ = nullptr;
    const Version* v_ = nullptr;
  };

  // RCU(v) starts with v as its first version (T's zero value by default).
  explicit RCU(T v = T()) : cur_(new Version(std::move(v))) {}
  RCU(const RCU&) = delete;
  RCU& operator=(const RCU&) = delete;
  ~RCU() { goro::internal::hazard::Retire(cur_.load()); }

  // Load returns a Snapshot of the current version.
  Snapshot Load() const {
    goro::internal::hazard::Slot* s = goro::internal::hazard::AcquireSlot();
    const Version* v = goro::internal::hazard::Protect(s, cur_);
    return Snapshot(s, v);
  }

  // Store publishes v as the new version.
  void Store(T v) {
    Version* old = cur_.exchange(new Version(std::move(v)));
    goro::internal::hazard::Retire(old);
  }

  // Update publishes f(current) as the new version: copy, modify, publish,
  // retried with the newer version if another writer published first.
  template <class F>
  void Update(F&& f) {
    goro::internal::hazard::Guard g;
    for (;;) {
      Version* old = g.Protect(cur_);
      Version* n = new Version(f(std::as_const(old->value)));
      if (cur_.compare_exchange_strong(old, n)) {
        g.Clear();
        goro::internal::hazard::Retire(old);
        return;
      }
      delete n;
    }
  }

  // CompareAndSwap publishes v if old is still the current version and
  // reports whether it did (Go's atomic.Pointer CompareAndSwap on a snapshot).
  bool CompareAndSwap(const Snapshot& old, T v) {
    Version* expected = const_cast<Version*>(old.v_);
    if (cur_.load() != expected) return false;
    Version* n = new Version(std::move(v));
    if (cur_.compare_exchange_strong(expected, n)) {
      goro::internal::hazard::Retire(expected);
      return true;
    }
    delete n;
    return false;
  }

 private:
  std::atomic<Version*> cur_;
};

}  // namespace goro::lockfree

#endif  // GORO_LOCKFREE_RCU_H_
