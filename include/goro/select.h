// goro/select.h: Go's select statement. select, case_recv, case_send,
// case_default, and select_dynamic over a runtime-sized list of cases (Go's
// reflect.Select).
//
//   // select {
//   // case v := <-in:    fmt.Println(v)
//   // case out <- 42:    fmt.Println("sent")
//   // default:           fmt.Println("nothing ready")
//   // }
//   goro::select(
//       goro::case_recv(in, [&](int v) { std::printf("%d\n", v); }),
//       goro::case_send(out, 42, [&] { std::puts("sent"); }),
//       goro::case_default([&] { std::puts("nothing ready"); }));
//
// Semantics (Go's):
// - Every channel operand and every value to send is evaluated once, when select
//   is entered (they are function arguments).
// - If several cases are ready, one is chosen uniformly at random. default runs
//   only when no case is ready at that instant. Without default, select blocks
//   until a case can proceed; when several of its cases could be completed by
//   the same partner, which one is random too.
// - Cases on nil channels are never ready. select() with no cases blocks forever.
// - A select never pairs its own send with its own receive.
// - A receive case on a closed channel is ready and yields (T{}, false). A send
//   case on a closed channel, if chosen, throws Panic("send on closed channel")
//   and runs no handler.
// - The handler of the chosen case runs after the communication is complete and
//   after goro no longer needs the case's handle, so a handler may reassign the
//   very variable it was given (for example set it to nil).
//
// select returns the 0-based index of the case that ran (default counts as a
// case). Handlers are optional: case_recv(c), case_send(c, v), case_default().
// A case_recv handler takes (), (T) or (T v, bool ok); the others take ().
//
// Thread safety and memory ordering: as for the channel operations the chosen
// case performs (goro/chan.h). A blocked select hands its worker's slot on.
//
// Lifetime: case objects refer to the channel handles they were given; build
// them in the select call itself (for select_dynamic, Case keeps its own
// reference to the channel).
#ifndef GORO_SELECT_H_
#define GORO_SELECT_H_

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/chan.h"
#include "goro/internal/chan_impl.h"
#include "goro/internal/task.h"
#include "goro/panic.h"

namespace goro {

namespace internal {

struct NoHandler {
  void operator()() const {}
};

template <class T, class F>
void RunRecvHandler(F& f, T&& v, bool ok) {
  if constexpr (std::is_invocable_v<F&, T&&, bool>) {
    f(std::move(v), ok);
  } else if constexpr (std::is_invocable_v<F&, T&&>) {
    f(std::move(v));
  } else {
    static_assert(std::is_invocable_v<F&>,
                  "case_recv handler must take (), (T) or (T, bool)");
    f();
  }
}

template <class T, class F>
class RecvCase {
 public:
  RecvCase(const ChanPtr* h, F f) : h_(h), f_(std::move(f)) {}
  void Fill(SelCase& sc, int&, int) {
    sc.c = h_->get();
    sc.elem = slot_.raw();
    sc.is_send = false;
  }
  void Run(bool ok) {
    slot_.set_constructed();
    RunRecvHandler<T>(f_, std::move(slot_.get()), ok);
  }
  const ChanPtr* handle() const { return h_; }
  F& handler() { return f_; }

 private:
  const ChanPtr* h_;
  F f_;
  Slot<T> slot_;
};

template <class T, class F>
class SendCase {
 public:
  SendCase(const ChanPtr* h, T v, F f) : h_(h), v_(std::move(v)), f_(std::move(f)) {}
  void Fill(SelCase& sc, int&, int) {
    sc.c = h_->get();
    sc.elem = &v_;
    sc.is_send = true;
  }
  void Run(bool) { f_(); }
  const ChanPtr* handle() const { return h_; }
  T& value() { return v_; }
  F& handler() { return f_; }

 private:
  const ChanPtr* h_;
  T v_;
  F f_;
};

template <class F>
class DefaultCase {
 public:
  explicit DefaultCase(F f) : f_(std::move(f)) {}
  void Fill(SelCase& sc, int& dflt, int i) {
    sc.c = nullptr;
    sc.elem = nullptr;
    sc.is_send = false;
    dflt = i;
  }
  void Run(bool) { f_(); }
  F& handler() { return f_; }

 private:
  F f_;
};

template <class C>
struct IsCase : std::false_type {};
template <class T, class F>
struct IsCase<RecvCase<T, F>> : std::true_type {};
template <class T, class F>
struct IsCase<SendCase<T, F>> : std::true_type {};
template <class F>
struct IsCase<DefaultCase<F>> : std::true_type {};

template <class C>
struct IsDefault : std::false_type {};
template <class F>
struct IsDefault<DefaultCase<F>> : std::true_type {};

}  // namespace internal

// case_recv is `case v, ok := <-c:`. The handler takes (), (T) or (T, bool).
template <class T, class F = internal::NoHandler>
internal::RecvCase<T, F> case_recv(const chan<T>& c, F f = {}) {
  return {&internal::ChanAccess::ptr(c), std::move(f)};
}
template <class T, class F = internal::NoHandler>
internal::RecvCase<T, F> case_recv(const recv_chan<T>& c, F f = {}) {
  return {&internal::ChanAccess::ptr(c), std::move(f)};
}

// case_send is `case c <- v:`. v is converted to T when the case is built.
template <class T, class U, class F = internal::NoHandler>
internal::SendCase<T, F> case_send(const chan<T>& c, U&& v, F f = {}) {
  return {&internal::ChanAccess::ptr(c), T(std::forward<U>(v)), std::move(f)};
}
template <class T, class U, class F = internal::NoHandler>
internal::SendCase<T, F> case_send(const send_chan<T>& c, U&& v, F f = {}) {
  return {&internal::ChanAccess::ptr(c), T(std::forward<U>(v)), std::move(f)};
}

// case_default is `default:`.
template <class F = internal::NoHandler>
internal::DefaultCase<F> case_default(F f = {}) {
  return internal::DefaultCase<F>(std::move(f));
}

// select runs Go's select statement over its cases and returns the index of the
// case that ran. select() with no cases blocks forever.
template <class... Cs>
  requires(internal::IsCase<std::remove_cvref_t<Cs>>::value && ...)
int select(Cs&&... cs) {
  constexpr int n = static_cast<int>(sizeof...(Cs));
  if constexpr (n == 0) {
    internal::BlockForever();
  } else {
    static_assert(
        (static_cast<int>(internal::IsDefault<std::remove_cvref_t<Cs>>::value) + ... + 0) <= 1,
        "select: multiple defaults");
    internal::SelCase sc[n];
    int dflt = -1;
    int i = 0;
    ((cs.Fill(sc[i], dflt, i), ++i), ...);
    internal::SelResult r = internal::SelectGo(sc, n, dflt);
    i = 0;
    ((i++ == r.index ? cs.Run(r.recv_ok) : void()), ...);
    return r.index;
  }
}

// Case is one case of select_dynamic, built from case_recv, case_send or
// case_default. It holds its own reference to the channel. Copies share one
// case; a vector of cases may be used by many selects, also at once (each call
// keeps its values in storage of its own). A send case sends a copy of its value
// each time it is used (a move, once, for move-only types).
class Case {
 public:
  template <class T, class F>
  Case(internal::RecvCase<T, F>&& c)  // NOLINT: implicit by design
      : impl_(std::make_shared<RecvImpl<T, F>>(*c.handle(), std::move(c.handler()))) {}
  template <class T, class F>
  Case(internal::SendCase<T, F>&& c)  // NOLINT
      : impl_(std::make_shared<SendImpl<T, F>>(*c.handle(), std::move(c.value()),
                                               std::move(c.handler()))) {}
  template <class F>
  Case(internal::DefaultCase<F>&& c)  // NOLINT
      : impl_(std::make_shared<DefaultImpl<F>>(std::move(c.handler()))) {}

 private:
  template <class R>
  friend int select_dynamic(R&& cases);

  // Call is one use of a case by one select_dynamic: it owns the value storage.
  struct Call {
    virtual ~Call() = default;
    virtual void Run(bool ok) = 0;
  };
  struct Impl {
    virtual ~Impl() = default;
    virtual bool IsDefault() const { return false; }
    // Prepare fills sc and returns the storage for this call.
    virtual std::unique_ptr<Call> Prepare(internal::SelCase& sc) = 0;
  };
  template <class T, class F>
  struct RecvImpl final : Impl {
    struct RecvCall final : Call {
      explicit RecvCall(RecvImpl* i) : impl(i) {}
      void Run(bool ok) override {
        slot.set_constructed();
        internal::RunRecvHandler<T>(impl->f, std::move(slot.get()), ok);
      }
      RecvImpl* impl;
      internal::Slot<T> slot;
    };
    RecvImpl(internal::ChanPtr c, F f) : c(std::move(c)), f(std::move(f)) {}
    std::unique_ptr<Call> Prepare(internal::SelCase& sc) override {
      auto call = std::make_unique<RecvCall>(this);
      sc.c = c.get();
      sc.elem = call->slot.raw();
      sc.is_send = false;
      return call;
    }
    internal::ChanPtr c;
    F f;
  };
  template <class T, class F>
  struct SendImpl final : Impl {
    struct SendCall final : Call {
      explicit SendCall(SendImpl* i) : impl(i) {}
      void Run(bool) override { impl->f(); }
      SendImpl* impl;
      internal::Slot<T> value;
    };
    SendImpl(internal::ChanPtr c, T v, F f)
        : c(std::move(c)), v(std::move(v)), f(std::move(f)) {}
    std::unique_ptr<Call> Prepare(internal::SelCase& sc) override {
      auto call = std::make_unique<SendCall>(this);
      if constexpr (std::is_copy_constructible_v<T>) {
        ::new (call->value.raw()) T(v);
      } else {
        ::new (call->value.raw()) T(std::move(v));
      }
      call->value.set_constructed();
      sc.c = c.get();
      sc.elem = &call->value.get();
      sc.is_send = true;
      return call;
    }
    internal::ChanPtr c;
    T v;
    F f;
  };
  template <class F>
  struct DefaultImpl final : Impl {
    struct DefaultCall final : Call {
      explicit DefaultCall(DefaultImpl* i) : impl(i) {}
      void Run(bool) override { impl->f(); }
      DefaultImpl* impl;
    };
    explicit DefaultImpl(F f) : f(std::move(f)) {}
    bool IsDefault() const override { return true; }
    std::unique_ptr<Call> Prepare(internal::SelCase& sc) override {
      sc.c = nullptr;
      sc.elem = nullptr;
      sc.is_send = false;
      return std::make_unique<DefaultCall>(this);
    }
    F f;
  };

  std::shared_ptr<Impl> impl_;
};

// select_dynamic runs a select over a runtime-sized range of Case values (Go's
// reflect.Select) and returns the index of the case that ran. An empty range
// blocks forever; more than one default throws
// Panic("reflect.Select: multiple default cases").
template <class R>
int select_dynamic(R&& cases) {
  std::vector<internal::SelCase> sc;
  std::vector<std::unique_ptr<Case::Call>> calls;
  int dflt = -1;
  for (auto& c : cases) {
    Case::Impl* impl = c.impl_.get();
    if (impl->IsDefault()) {
      if (dflt >= 0) throw Panic("reflect.Select: multiple default cases");
      dflt = static_cast<int>(calls.size());
    }
    sc.emplace_back();
    calls.push_back(impl->Prepare(sc.back()));
  }
  internal::SelResult r =
      internal::SelectGo(sc.data(), static_cast<int>(sc.size()), dflt);
  calls[static_cast<std::size_t>(r.index)]->Run(r.recv_ok);
  return r.index;
}

}  // namespace goro

#endif  // GORO_SELECT_H_
