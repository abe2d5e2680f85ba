// goro/errgroup.h: golang.org/x/sync/errgroup, goroutines working on the
// parts of one task, with the first error and cancellation.
//
// Group mirrors x/sync's errgroup.Group (v0.16):
//
//   auto [g, gctx] = goro::errgroup::WithContext(ctx);  // g, ctx := errgroup.WithContext(ctx)
//   g.SetLimit(3);                                      // at most 3 at a time
//   for (const std::string& url : urls) {
//     g.Go([url, gctx = gctx]() -> absl::Status {      // g.Go(func() error {
//       return fetch(gctx, url);                        //     return fetch(ctx, url)
//     });                                               // })
//   }
//   absl::Status err = g.Wait();                        // err := g.Wait()
//
// Semantics (x/sync's):
// - Go(f) runs f, a callable returning absl::Status, in a new goroutine. With
//   a limit set, it first blocks until fewer than the limit are active. TryGo(f)
//   starts f only if a place is free at once, and reports whether it did.
// - The first non-OK status any f returns is kept; Wait blocks until every f
//   has returned and then returns it (OkStatus() if none failed).
// - WithContext(parent) also returns a context derived from parent with
//   context::WithCancelCause. It is cancelled, with that first error as its
//   cause (context::Cause), as soon as an f fails; and, if nothing failed, when
//   Wait returns (cause context::Canceled).
// - SetLimit(n): at most n active goroutines; n < 0 removes the limit, n == 0
//   blocks every Go (and makes every TryGo fail). The first Go must come before
//   Wait, and a Group is not reused for another task once Wait has returned
//   (reuse after Wait works, as in Go, but the context stays cancelled).
// - An exception thrown by f is a Go panic: it ends the process (goro/runtime.h);
//   Wait does not propagate it (x/sync v0.16 reverted that).
//
// Group is a handle: `goro::errgroup::Group g;` makes an empty group (no limit,
// no context), and copies share it, as copies of Go's *Group do, so a lambda may
// capture the group by value. Each goroutine keeps the group alive until it
// has finished.
//
// Thread safety: Go, TryGo and Wait may be called from any goroutine. SetLimit
// must not race with Go or TryGo.
//
// Memory ordering: everything an f did is visible to the goroutine that
// returns from Wait; the start of Go happens before f runs. Each f (with what
// it captured) is destroyed before Wait can return.
//
// Misuse: SetLimit while goroutines are active throws Panic("errgroup: modify
// limit while N goroutines in the group are still active"), as Go does.
//
// Blocking: Go at the limit and Wait hand their worker's slot on.
#ifndef GORO_ERRGROUP_H_
#define GORO_ERRGROUP_H_

#include <atomic>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "goro/chan.h"
#include "goro/context.h"
#include "goro/runtime.h"
#include "goro/sync/waitgroup.h"

namespace goro::errgroup {

namespace internal {

struct GroupState {
  context::CancelCauseFunc cancel;  // set by WithContext only
  // Separate, so that a goroutine can let go of the rest of the state (and
  // the statuses in it) before its Done.
  std::shared_ptr<sync::WaitGroup> wg = std::make_shared<sync::WaitGroup>();
  chan<Empty> sem;  // one token per active goroutine; nil without a limit
  std::atomic<bool> failed{false};
  absl::Status err;  // written once, by the goroutine that set failed
};

// Finish records f's result, lets go of st, and releases the goroutine's place
// (its token first, then wg.Done, as Go's done()).
void Finish(std::shared_ptr<GroupState> st, const chan<Empty>& token, absl::Status result);

}  // namespace internal

class Group {
 public:
  // An empty group: no limit, no context.
  Group() : st_(std::make_shared<internal::GroupState>()) {}

  // Go calls f in a new goroutine, blocking first while the group is at its
  // limit. f takes no arguments and returns absl::Status.
  template <class F>
  void Go(F&& f) const {
    static_assert(std::is_invocable_r_v<absl::Status, std::decay_t<F>&>,
                  "errgroup::Group::Go: f must be callable as f() and return absl::Status");
    chan<Empty> sem = st_->sem;
    if (sem != nullptr) sem.send(Empty{});
    Start(std::move(sem), std::forward<F>(f));
  }

  // TryGo calls f in a new goroutine only if the group is below its limit, and
  // reports whether it did.
  template <class F>
  bool TryGo(F&& f) const {
    static_assert(std::is_invocable_r_v<absl::Status, std::decay_t<F>&>,
                  "errgroup::Group::TryGo: f must be callable as f() and return absl::Status");
    chan<Empty> sem = st_->sem;
    if (sem != nullptr && !TrySend(sem)) return false;
    Start(std::move(sem), std::forward<F>(f));
    return true;
  }

  // Wait blocks until every f has returned, cancels the group's context, and
  // returns the first error (OkStatus() if there was none).
  absl::Status Wait() const;

  // SetLimit limits the number of active goroutines to n (n < 0: no limit).
  void SetLimit(int n) const;

  friend bool operator==(const Group& a, const Group& b) { return a.st_ == b.st_; }

  // Not for users: the group of WithContext.
  explicit Group(std::shared_ptr<internal::GroupState> st) : st_(std::move(st)) {}

 private:
  static bool TrySend(const chan<Empty>& sem);

  // The goroutine destroys f, and drops its reference to the group's state,
  // before wg.Done: whatever f captured is released by the time Wait returns.
  template <class F>
  void Start(chan<Empty> token, F&& f) const {
    st_->wg->Add(1);
    goro::go([st = st_, token = std::move(token),
              fn = std::optional<std::decay_t<F>>(std::forward<F>(f))]() mutable {
      absl::Status result = (*fn)();
      fn.reset();
      internal::Finish(std::move(st), token, std::move(result));
    });
  }

  std::shared_ptr<internal::GroupState> st_;
};

// WithGroup is what WithContext returns: auto [g, ctx] = WithContext(parent).
struct WithGroup {
  Group group;
  context::Context ctx;
};

// WithContext returns a new group and a context derived from parent that is
// cancelled the first time an f fails (cause: its error) or Wait returns.
WithGroup WithContext(const context::Context& parent);

}  // namespace goro::errgroup

#endif  // GORO_ERRGROUP_H_
