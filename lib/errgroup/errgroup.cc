// lib/errgroup/errgroup.cc: errgroup::Group.
//
// The limit is Go's: a buffered channel holding one token per active
// goroutine, so Go at the limit blocks in a channel send and TryGo is a select
// with a default. Each goroutine keeps the channel it took its token from and
// gives the token back there, so a later SetLimit can never make it take a
// token from another channel. The first error is claimed with an atomic flag
// (Go's sync.Once): only its winner writes err, before its wg.Done, so Wait
// reads it after wg.Wait without a lock.
//
// A goroutine is done with every status it touched (f's captures, its result,
// its reference to the state holding err and the context's cause) before its
// wg.Done. Besides releasing f's captures by the time Wait returns, this keeps
// ThreadSanitizer quiet about absl::Status: Debian's abseil is not
// instrumented, so TSan does not see the reference-count decrements inside it,
// and a status freed by a goroutine after Wait had returned would look like a
// race with the waiter's copies.
#include <string>
#include <utility>

#include "goro/errgroup.h"
#include "goro/panic.h"
#include "goro/select.h"

namespace goro::errgroup {
namespace internal {

void Finish(std::shared_ptr<GroupState> st, const chan<Empty>& token, absl::Status result) {
  if (!result.ok() && !st->failed.exchange(true, std::memory_order_acq_rel)) {
    st->err = std::move(result);
    if (st->cancel) st->cancel(st->err);
  }
  result = absl::OkStatus();
  std::shared_ptr<sync::WaitGroup> wg = st->wg;
  st.reset();
  if (token != nullptr) token.recv();
  wg->Done();
}

}  // namespace internal

bool Group::TrySend(const chan<Empty>& sem) {
  return select(case_send(sem, Empty{}), case_default()) == 0;
}

absl::Status Group::Wait() const {
  st_->wg->Wait();
  if (st_->cancel) st_->cancel(st_->err);  // OkStatus() records Canceled
  return st_->err;
}

void Group::SetLimit(int n) const {
  if (n < 0) {
    st_->sem = nullptr;
    return;
  }
  if (int active = len(st_->sem); active != 0) {
    throw Panic("errgroup: modify limit while " + std::to_string(active) +
                " goroutines in the group are still active");
  }
  st_->sem = make_chan<Empty>(n);
}

WithGroup WithContext(const context::Context& parent) {
  auto [ctx, cancel] = context::WithCancelCause(parent);
  auto st = std::make_shared<internal::GroupState>();
  st->cancel = std::move(cancel);
  return WithGroup{Group(std::move(st)), std::move(ctx)};
}

}  // namespace goro::errgroup
