// goro/internal/hazard.h: hazard pointers, the safe memory reclamation under
// goro::lockfree::Stack, goro::lockfree::RCU and goro::atomic::Value. Not for
// users: the public headers need it because they are templates.
//
// The scheme (Michael, "Hazard Pointers", IEEE TPDS 2004), in goro's words:
// - A Slot is one published "I am reading this object" word. A reader takes a
//   Slot (AcquireSlot), publishes the pointer it is about to dereference and
//   re-checks that the source still holds it (Protect), reads, then clears the
//   Slot (Clear / ReleaseSlot).
// - A writer that has unlinked an object hands it to Retire instead of deleting
//   it. Each thread keeps its retired objects; once it holds enough of them it
//   scans every Slot and deletes the ones no Slot names. Objects still named
//   stay retired for the next scan.
// - Slots are not tied to threads: a Slot may be released by another thread
//   than the one that took it (an RCU snapshot handed to another goroutine).
//   Each thread caches a few free Slots, so taking one costs no shared write.
//
// Why not epochs: a goroutine may block (holding its OS thread) at any point
// between two lock-free operations and may hold an RCU snapshot while it
// blocks. With epochs, one such goroutine would stop all reclamation; with
// hazard pointers it keeps alive only the one object it names.
//
// Memory ordering: Protect's publication and re-check, and the scan's reads of
// the Slots, are sequentially consistent; so a scan that does not see a
// reader's Slot proves that the reader's re-check will see the object unlinked.
// Slot clears are releases and the scan's reads acquires, so a reader's last
// access to an object happens before its deletion (ThreadSanitizer sees this).
#ifndef GORO_INTERNAL_HAZARD_H_
#define GORO_INTERNAL_HAZARD_H_

#include <atomic>
#include <cstddef>

namespace goro::internal::hazard {

// Slot is one hazard pointer. Slots live for the whole process, on one list.
struct alignas(64) Slot {
  std::atomic<const void*> ptr{nullptr};
  std::atomic<bool> used{false};
  Slot* next = nullptr;  // immutable once the Slot is on the list
};

// Retired is the header of every object reclaimed through Retire: the object
// derives from it, so retiring allocates nothing.
struct Retired {
  Retired* next_retired = nullptr;
  void (*deleter)(Retired*) = nullptr;
};

// AcquireSlot returns a cleared Slot owned by the caller until ReleaseSlot.
Slot* AcquireSlot();

// ReleaseSlot clears s and gives it back (to this thread's cache).
void ReleaseSlot(Slot* s);

// Protect publishes in s the pointer src holds and returns it, once it has
// checked that src still held it after publication. Until s is cleared or
// set again, the returned object is not deleted by Retire's scans.
template <class T>
T* Protect(Slot* s, const std::atomic<T*>& src) {
  T* p = src.load(std::memory_order_seq_cst);
  for (;;) {
    s->ptr.store(p, std::memory_order_seq_cst);
    T* q = src.load(std::memory_order_seq_cst);
    if (q == p) return p;
    p = q;
  }
}

// Clear withdraws s's protection.
inline void Clear(Slot* s) { s->ptr.store(nullptr, std::memory_order_release); }

// Retire deletes r with r->deleter once no Slot names it. r must already be
// unreachable for new readers (unlinked by the caller).
void Retire(Retired* r);

// Drain scans now, deleting every retired object (this thread's and those left
// by threads that exited) that no Slot names. For tests and destructors.
void Drain();

// PendingForTest is the number of retired objects not yet deleted, over all
// threads (approximate while other threads retire).
std::size_t PendingForTest();

// Guard holds one Slot for a scope.
class Guard {
 public:
  Guard() : s_(AcquireSlot()) {}
  ~Guard() { ReleaseSlot(s_); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  template <class T>
  T* Protect(const std::atomic<T*>& src) { return hazard::Protect(s_, src); }
  void Clear() { hazard::Clear(s_); }

 private:
  Slot* s_;
};

}  // namespace goro::internal::hazard

#endif  // GORO_INTERNAL_HAZARD_H_
