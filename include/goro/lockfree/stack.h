// goro/lockfree/stack.h: lockfree::Stack<T>, a Treiber stack with hazard
// pointers. No Go counterpart (in Go, a Treiber stack is safe because the
// garbage collector reclaims popped nodes; in C++ something must do that job).
//
//   goro::lockfree::Stack<std::string> s;
//   s.Push("a");
//   s.Push("b");
//   std::optional<std::string> v = s.Pop();   // "b": last in, first out
//
// Thread safety: Push and Pop may be called from any number of goroutines and
// threads at once. Memory ordering: everything a goroutine did before Push(v)
// is visible to the goroutine whose Pop returns v.
//
// Progress: lock-free. Push and Pop are a CAS on the top-of-stack pointer,
// retried when another goroutine got there first; none of them blocks or
// waits for another.
//
// Reclamation: a popped node is not freed at once: another Pop may be reading
// it. Pop hands it to goro's hazard-pointer domain (goro/internal/hazard.h),
// which frees it once no goroutine's hazard pointer names it. The same
// hazard pointers rule out ABA: a node's address cannot be reused while a
// Pop that read it may still CAS with it. A goroutine that blocks between
// two operations protects nothing; one preempted inside Pop delays the
// reclamation of one node only.
//
// Cost: one allocation per Push, a delayed free per Pop, and all goroutines
// CAS the same word: under contention it scales no better than a mutex
// (docs/lockfree.md has the figures).
//
// Lifetime: a Stack is an object, neither copyable nor movable; it must
// outlive every goroutine that uses it. Values still on it are destroyed
// with it.
#ifndef GORO_LOCKFREE_STACK_H_
#define GORO_LOCKFREE_STACK_H_

#include <atomic>
#include <optional>
#include <utility>

#include "goro/internal/hazard.h"

namespace goro::lockfree {

template <class T>
class Stack {
 public:
  Stack() = default;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack() {
    Node* n = head_.load(std::memory_order_acquire);
    while (n) {
      Node* next = n->next;
      delete n;
      n = next;
    }
  }

  // Push puts v on top of the stack.
  void Push(T v) {
    Node* n = new Node(std::move(v));
    n->next = head_.load(std::memory_order_relaxed);
    while (!head_.compare_exchange_weak(n->next, n, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
    }
  }

  // Pop removes and returns the top value, or std::nullopt if the stack is
  // empty.
  std::optional<T> Pop() {
    goro::internal::hazard::Guard g;
    for (;;) {
      Node* top = g.Protect(head_);
      if (top == nullptr) return std::nullopt;
      // top is protected: it cannot be freed (or reused) while we read next.
      if (head_.compare_exchange_strong(top, top->next, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        std::optional<T> out(std::move(top->value));
        g.Clear();
        goro::internal::hazard::Retire(top);
        return out;
      }
    }
  }

  // Empty reports whether the stack was empty at the moment of the call.
  bool Empty() const { return head_.load() == nullptr; }

 private:
  struct Node : goro::internal::hazard::Retired {
    explicit Node(T v) : value(std::move(v)) { deleter = &Delete; }
    static void Delete(goro::internal::hazard::Retired* r) { delete static_cast<Node*>(r); }
    T value;
    Node* next = nullptr;  // written before the node is published, then immutable
  };

  std::atomic<Node*> head_{nullptr};
};

}  // namespace goro::lockfree

#endif  // GORO_LOCKFREE_STACK_H_
