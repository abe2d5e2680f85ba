// goro/lockfree/queue.h: lockfree::Queue<T>, a multi-producer multi-consumer
// queue on moodycamel::ConcurrentQueue. No Go counterpart (Go's answer is a
// buffered channel); goro offers it for the hot paths where a channel's lock is
// the bottleneck, with Go-flavoured names.
//
//   goro::lockfree::Queue<int> q;
//   goro::go([&] { q.Push(1); q.Push(2); });
//   if (std::optional<int> v = q.Pop()) use(*v);   // v, ok := q.Pop()
//
// Ordering, stated plainly: the queue is FIFO per producer, and only per
// producer. Two values pushed by the same goroutine are popped in the order
// they were pushed. Values pushed by different goroutines come out in no
// promised order, even when one Push happened before the other (moodycamel
// keeps one sub-queue per producing thread and consumers visit them in turn).
// It is not a channel: there is no close, no blocking receive, no capacity.
//
// Thread safety: Push and Pop may be called from any number of goroutines and
// threads at once. Memory ordering: everything a goroutine did before Push(v)
// is visible to the goroutine whose Pop returns v.
//
// Progress: Push and Pop never block and never take a lock. Pop returns
// std::nullopt when every sub-queue looked empty while it checked them, so it
// may miss a value whose Push is still in progress. Push allocates in blocks;
// memory is returned only when the Queue is destroyed (moodycamel's design).
//
// Memory: each thread that ever pushes gets its own sub-queue (moodycamel's
// implicit producer), kept until the Queue is destroyed. goro runs goroutines
// on pool threads that come and go, so a long-lived Queue fed from many
// short-lived threads holds one sub-queue per thread id ever seen.
//
// ThreadSanitizer: moodycamel synchronizes through std::atomic_thread_fence,
// which TSan does not model, so TSan reports races inside it that are not
// there (cameron314/concurrentqueue#49, #62). In a TSan build, Queue is
// therefore a deque under a spin lock, with the same interface and guarantees
// (FIFO overall, so FIFO per producer): TSan then checks the code around the
// Queue, yours and goro's, without false reports. goro's runtime does the
// same with its own injection queue. AddressSanitizer builds use moodycamel.
//
// Lifetime: a Queue is an object, neither copyable nor movable; it must
// outlive every goroutine that uses it. Values still queued are destroyed with
// it.
#ifndef GORO_LOCKFREE_QUEUE_H_
#define GORO_LOCKFREE_QUEUE_H_

#include <cstddef>
#include <new>
#include <optional>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#define GORO_LOCKFREE_QUEUE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_LOCKFREE_QUEUE_TSAN 1
#endif
#endif

#ifdef GORO_LOCKFREE_QUEUE_TSAN
#include <atomic>
#include <deque>
#include <thread>
#else
#include "goro/internal/concurrentqueue.h"
#endif

namespace goro::lockfree {
namespace internal {

#ifdef GORO_LOCKFREE_QUEUE_TSAN
// TsanQueue stands in for moodycamel::ConcurrentQueue under ThreadSanitizer.
// Its critical sections are a few instructions long; the lock spins and yields.
template <class T>
class TsanQueue {
 public:
  TsanQueue() = default;
  explicit TsanQueue(std::size_t) {}
  bool enqueue(T v) {
    Guard g(this);
    q_.push_back(std::move(v));
    return true;
  }
  bool try_dequeue(T& out) {
    Guard g(this);
    if (q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  std::size_t size_approx() const {
    Guard g(this);
    return q_.size();
  }

 private:
  struct Guard {
    explicit Guard(const TsanQueue* q) : q(q) {
      while (q->busy_.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
    }
    ~Guard() { q->busy_.store(false, std::memory_order_release); }
    const TsanQueue* q;
  };
  mutable std::atomic<bool> busy_{false};
  std::deque<T> q_;
};
template <class T>
using QueueImpl = TsanQueue<T>;
#else
template <class T>
using QueueImpl = moodycamel::ConcurrentQueue<T>;
#endif

}  // namespace internal

template <class T>
class Queue {
 public:
  Queue() = default;
  // Queue(n) pre-allocates room for about n values.
  explicit Queue(std::size_t n) : q_(n) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Push appends v. It throws std::bad_alloc if memory runs out.
  void Push(T v) {
    if (!q_.enqueue(std::move(v))) throw std::bad_alloc();
  }

  // Pop removes and returns a value, or returns std::nullopt if the queue
  // looked empty.
  // T must be default-constructible (moodycamel dequeues by assignment).
  std::optional<T> Pop() {
    std::optional<T> out;
    T v;
    if (q_.try_dequeue(v)) out.emplace(std::move(v));
    return out;
  }

  // Len returns the number of queued values; exact only when no Push or Pop
  // runs concurrently.
  int Len() const { return static_cast<int>(q_.size_approx()); }

  // LockFree reports whether this build uses the lock-free queue (false under
  // ThreadSanitizer, see above).
  static constexpr bool LockFree() {
#ifdef GORO_LOCKFREE_QUEUE_TSAN
    return false;
#else
    return true;
#endif
  }

 private:
  internal::QueueImpl<T> q_;
};

}  // namespace goro::lockfree

#endif  // GORO_LOCKFREE_QUEUE_H_
