// lib/context/context.cc: the context tree (Go's context/context.go).
//
// Every context node knows its nearest cancellable ancestor-or-self
// (`cancel_anc`, Go's Value(&cancelCtxKey)) and its effective deadline, both
// fixed at creation, so Done, Err and Deadline never walk the chain.
//
// A cancellable node (CancelCtx) keeps its children in an intrusive list under
// its own lock. The list does not own them: a child holds its parent strongly,
// and a child whose handles are all gone unlinks itself in its destructor, so a
// long-lived parent never accumulates dead children. Cancelling walks the list
// under the parent's lock (lock order: parent, then child), pinning each child
// through its weak self-reference; a child already being destroyed is skipped,
// and its destructor finds itself unlinked. Pins are dropped after unlocking.
#include <cxxabi.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chan/chan.h"
#include "goro/context.h"
#include "goro/internal/status.h"
#include "goro/runtime.h"
#include "runtime/futex.h"
#include "time/timer.h"

namespace goro::context {
namespace internal {

using goro::internal::ChanPtr;
using goro::internal::LockGuard;

struct Canceler {
  // Guarded by owner->mu.
  Canceler* prev = nullptr;
  Canceler* next = nullptr;
  bool in_list = false;
  CancelCtx* owner = nullptr;  // the node whose list this joined; fixed once set

  virtual ~Canceler() = default;
  // Called with the owner's lock held; the node is pinned.
  virtual void CancelFromParent(const absl::Status& err, const absl::Status& cause) = 0;
  // A strong reference, or null if the node is being destroyed.
  virtual std::shared_ptr<void> Pin() = 0;
};

struct ContextImpl : std::enable_shared_from_this<ContextImpl> {
  std::shared_ptr<ContextImpl> parent;
  CancelCtx* cancel_anc = nullptr;  // kept alive by `parent` (or is this)
  time::Time deadline;
  bool has_deadline = false;

  virtual ~ContextImpl() = default;
  virtual const std::any* LocalValue(const std::type_info&, const void*, KeyEq) const {
    return nullptr;
  }
  virtual std::string Name() const = 0;
};

namespace {

struct EmptyCtx final : ContextImpl {
  explicit EmptyCtx(const char* n) : name(n) {}
  std::string Name() const override { return name; }
  const char* name;
};

const ChanPtr& ClosedChan() {
  static const ChanPtr* c = [] {
    chan<Empty> ch = make_chan<Empty>();
    close(ch);
    return new ChanPtr(goro::internal::ChanAccess::ptr(ch));
  }();
  return *c;
}

}  // namespace

struct CancelCtx : ContextImpl, Canceler {
  goro::internal::Lock mu;
  // Guarded by mu.
  ChanPtr done;  // created on first Done() (or the shared closed channel)
  absl::Status err;
  absl::Status cause;
  Canceler* children = nullptr;
  size_t nchildren = 0;

  ~CancelCtx() override { Unlink(); }

  std::string Name() const override { return parent->Name() + ".WithCancel"; }

  std::shared_ptr<void> Pin() override { return weak_from_this().lock(); }

  void CancelFromParent(const absl::Status& e, const absl::Status& c) override {
    Cancel(false, e, c);
  }

  ChanPtr Done() {
    LockGuard g(mu);
    if (done == nullptr) done = err.ok() ? MakeDone() : ClosedChan();
    return done;
  }

  absl::Status Err() {
    LockGuard g(mu);
    return err;
  }

  // Cancel closes done, cancels every child with the same err and cause and,
  // if remove, unlinks this node from its parent's list.
  void Cancel(bool remove, const absl::Status& e, const absl::Status& c) {
    std::vector<std::shared_ptr<void>> pins;
    {
      LockGuard g(mu);
      if (!err.ok()) return;  // already cancelled
      err = e;
      cause = c.ok() ? e : c;
      if (done == nullptr) {
        done = ClosedChan();
      } else {
        goro::internal::ChanClose(done.get());
      }
      for (Canceler* k = children; k != nullptr;) {
        Canceler* next = k->next;
        k->prev = k->next = nullptr;
        k->in_list = false;
        if (auto pin = k->Pin()) {
          k->CancelFromParent(err, cause);
          pins.push_back(std::move(pin));
        }
        k = next;
      }
      children = nullptr;
      nchildren = 0;
    }
    if (remove) Unlink();
    OnCanceled();
  }

  // Link makes `child` (a new node) follow this node's cancellation.
  void Link(Canceler* child, const std::shared_ptr<void>& child_pin) {
    absl::Status e, c;
    {
      LockGuard g(mu);
      if (err.ok()) {
        child->owner = this;
        child->in_list = true;
        child->prev = nullptr;
        child->next = children;
        if (children != nullptr) children->prev = child;
        children = child;
        nchildren++;
        return;
      }
      e = err;
      c = cause;
    }
    (void)child_pin;  // the caller holds the child alive
    child->CancelFromParent(e, c);
  }

  void RemoveChildLocked(Canceler* k) {
    if (!k->in_list) return;
    if (k->prev != nullptr) {
      k->prev->next = k->next;
    } else {
      children = k->next;
    }
    if (k->next != nullptr) k->next->prev = k->prev;
    k->prev = k->next = nullptr;
    k->in_list = false;
    nchildren--;
  }

 protected:
  virtual void OnCanceled() {}

  void Unlink() {
    if (owner == nullptr) return;
    LockGuard g(owner->mu);
    owner->RemoveChildLocked(this);
  }

 private:
  static ChanPtr MakeDone() {
    return goro::internal::ChanAccess::ptr(make_chan<Empty>());
  }
};

namespace {

struct TimerCtx final : CancelCtx {
  absl::Status deadline_cause;  // recorded when the deadline passes (may be ok)
  std::shared_ptr<time::internal::TimerCore> timer;  // guarded by mu

  ~TimerCtx() override { StopTimer(); }

  std::string Name() const override {
    return parent->Name() + ".WithDeadline(" + deadline.String() + " [" +
           time::Until(deadline).String() + "])";
  }

  void OnCanceled() override { StopTimer(); }

  void StopTimer() {
    std::shared_ptr<time::internal::TimerCore> t;
    {
      LockGuard g(mu);
      t = std::move(timer);
    }
    if (t != nullptr) time::internal::StopTimer(t.get());
  }
};

struct ValueCtx final : ContextImpl {
  std::any key;
  KeyEq eq = nullptr;
  std::string key_name;
  std::any value;
  std::string value_str;

  const std::any* LocalValue(const std::type_info& type, const void* probe,
                             KeyEq) const override {
    if (key.type() == type && eq(key, probe)) return &value;
    return nullptr;
  }
  std::string Name() const override {
    return parent->Name() + ".WithValue(type " + key_name + ", val " + value_str + ")";
  }
};

struct WithoutCancelCtx final : ContextImpl {
  std::string Name() const override { return parent->Name() + ".WithoutCancel"; }
};

struct AfterFuncNode final : Canceler, std::enable_shared_from_this<AfterFuncNode> {
  std::shared_ptr<ContextImpl> ctx;  // keeps the watched context alive
  std::function<void()> f;
  std::atomic<bool> fired{false};
  std::shared_ptr<AfterFuncNode> self;  // while registered

  std::shared_ptr<void> Pin() override { return shared_from_this(); }

  void CancelFromParent(const absl::Status&, const absl::Status&) override {
    if (fired.exchange(true, std::memory_order_acq_rel)) return;
    goro::go(f);
    self.reset();  // the canceller's pin keeps this node alive until it unlocks
  }

  bool Stop() {
    if (fired.exchange(true, std::memory_order_acq_rel)) return false;
    if (owner != nullptr) {
      LockGuard g(owner->mu);
      owner->RemoveChildLocked(this);
    }
    std::shared_ptr<AfterFuncNode> keep = std::move(self);
    return true;
  }
};

ContextImpl* Impl(const Context& c) {
  if (c.impl() == nullptr) NilParent();
  return c.impl().get();
}

// NewCancelCtx creates a cancellable child of parent, linked to it.
template <class T>
std::shared_ptr<T> NewCancelCtx(const Context& parent) {
  ContextImpl* p = Impl(parent);
  auto c = std::make_shared<T>();
  c->parent = parent.impl();
  c->cancel_anc = c.get();
  c->deadline = p->deadline;
  c->has_deadline = p->has_deadline;
  if (p->cancel_anc != nullptr) p->cancel_anc->Link(c.get(), c);
  return c;
}

}  // namespace

void NilParent() { throw Panic("cannot create context from nil parent"); }

std::string TypeName(const std::type_info& t) {
  int status = 0;
  char* s = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
  if (s == nullptr) return t.name();
  std::string out = s;
  std::free(s);
  // Spell the standard string as people write it.
  const std::string kLong =
      "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
  for (size_t at; (at = out.find(kLong)) != std::string::npos;) {
    out.replace(at, kLong.size(), "std::string");
  }
  return out;
}

const std::any* LookupValue(const ContextImpl* c, const std::type_info& type,
                            const void* probe, KeyEq eq) {
  for (; c != nullptr; c = c->parent.get()) {
    if (const std::any* v = c->LocalValue(type, probe, eq)) return v;
  }
  return nullptr;
}

std::shared_ptr<ContextImpl> NewValueCtx(std::shared_ptr<ContextImpl> parent, std::any key,
                                         KeyEq eq, std::string key_name, std::any value,
                                         std::string value_str) {
  auto c = std::make_shared<ValueCtx>();
  c->cancel_anc = parent->cancel_anc;
  c->deadline = parent->deadline;
  c->has_deadline = parent->has_deadline;
  c->parent = std::move(parent);
  c->key = std::move(key);
  c->eq = eq;
  c->key_name = std::move(key_name);
  c->value = std::move(value);
  c->value_str = std::move(value_str);
  return c;
}

size_t NumChildren(const Context& ctx) {
  if (ctx.impl() == nullptr || ctx.impl()->cancel_anc == nullptr) return 0;
  CancelCtx* c = ctx.impl()->cancel_anc;
  LockGuard g(c->mu);
  return c->nchildren;
}

}  // namespace internal

using internal::CancelCtx;
using internal::ContextImpl;

bool IsCanceled(const absl::Status& err) { return goro::internal::StatusIs(err, Canceled); }
bool IsDeadlineExceeded(const absl::Status& err) {
  return goro::internal::StatusIs(err, DeadlineExceeded);
}

std::pair<time::Time, bool> Context::Deadline() const {
  if (impl_ == nullptr || !impl_->has_deadline) return {time::Time(), false};
  return {impl_->deadline, true};
}

recv_chan<Empty> Context::Done() const {
  if (impl_ == nullptr || impl_->cancel_anc == nullptr) return nullptr;
  goro::internal::ChanPtr p = impl_->cancel_anc->Done();
  return goro::internal::ChanAccess::Wrap<recv_chan<Empty>>(std::move(p));
}

absl::Status Context::Err() const {
  if (impl_ == nullptr || impl_->cancel_anc == nullptr) return absl::OkStatus();
  return impl_->cancel_anc->Err();
}

std::string Context::String() const {
  if (impl_ == nullptr) return "<nil>";
  return impl_->Name();
}

void CancelFunc::operator()() const {
  if (c_ != nullptr) c_->Cancel(true, Canceled, absl::OkStatus());
}

void CancelCauseFunc::operator()(const absl::Status& cause) const {
  if (c_ != nullptr) c_->Cancel(true, Canceled, cause);
}

Context Background() {
  static const auto* c = new std::shared_ptr<ContextImpl>(
      std::make_shared<internal::EmptyCtx>("context.Background"));
  return Context(*c);
}

Context TODO() {
  static const auto* c =
      new std::shared_ptr<ContextImpl>(std::make_shared<internal::EmptyCtx>("context.TODO"));
  return Context(*c);
}

std::pair<Context, CancelFunc> WithCancel(const Context& parent) {
  auto c = internal::NewCancelCtx<CancelCtx>(parent);
  return {Context(c), CancelFunc(c)};
}

std::pair<Context, CancelCauseFunc> WithCancelCause(const Context& parent) {
  auto c = internal::NewCancelCtx<CancelCtx>(parent);
  return {Context(c), CancelCauseFunc(c)};
}

std::pair<Context, CancelFunc> WithDeadlineCause(const Context& parent, time::Time d,
                                                 const absl::Status& cause) {
  ContextImpl* p = internal::Impl(parent);
  if (p->has_deadline && p->deadline.Before(d)) {
    // The parent's deadline is earlier: it will fire first.
    return WithCancel(parent);
  }
  auto c = std::make_shared<internal::TimerCtx>();
  c->parent = parent.impl();
  c->cancel_anc = c.get();
  c->deadline = d;
  c->has_deadline = true;
  c->deadline_cause = cause;
  if (p->cancel_anc != nullptr) p->cancel_anc->Link(c.get(), c);
  time::Duration dur = time::Until(d);
  if (dur <= time::Duration()) {
    c->Cancel(true, DeadlineExceeded, cause);  // the deadline has already passed
    return {Context(c), CancelFunc(c)};
  }
  {
    goro::internal::LockGuard g(c->mu);
    if (c->err.ok()) {
      std::weak_ptr<internal::TimerCtx> weak = c;
      // Cancelling is goro's own short code: the timer thread runs it, so a
      // deadline is met even while every slot is busy.
      c->timer = time::internal::NewFuncTimer(
          dur,
          [weak] {
            if (auto t = weak.lock()) t->Cancel(true, DeadlineExceeded, t->deadline_cause);
          },
          /*fn_inline=*/true);
    }
  }
  return {Context(c), CancelFunc(c)};
}

std::pair<Context, CancelFunc> WithDeadline(const Context& parent, time::Time d) {
  return WithDeadlineCause(parent, d, absl::OkStatus());
}

std::pair<Context, CancelFunc> WithTimeout(const Context& parent, time::Duration timeout) {
  return WithDeadlineCause(parent, time::Now().Add(timeout), absl::OkStatus());
}

std::pair<Context, CancelFunc> WithTimeoutCause(const Context& parent, time::Duration timeout,
                                                const absl::Status& cause) {
  return WithDeadlineCause(parent, time::Now().Add(timeout), cause);
}

Context WithoutCancel(const Context& parent) {
  internal::Impl(parent);
  auto c = std::make_shared<internal::WithoutCancelCtx>();
  c->parent = parent.impl();
  return Context(c);
}

absl::Status Cause(const Context& ctx) {
  if (ctx.impl() == nullptr || ctx.impl()->cancel_anc == nullptr) return absl::OkStatus();
  CancelCtx* c = ctx.impl()->cancel_anc;
  goro::internal::LockGuard g(c->mu);
  return c->cause;
}

std::function<bool()> AfterFunc(const Context& ctx, std::function<void()> f) {
  ContextImpl* p = internal::Impl(ctx);
  auto node = std::make_shared<internal::AfterFuncNode>();
  node->f = std::move(f);
  if (CancelCtx* anc = p->cancel_anc) {
    node->ctx = ctx.impl();
    node->self = node;
    anc->Link(node.get(), node);
  }
  return [node] { return node->Stop(); };
}

}  // namespace goro::context
