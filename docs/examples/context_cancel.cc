// context_cancel: a request handler that stops when its context is cancelled
// or its deadline passes, and leaves no goroutine behind.
//
// Four requests go through one handler: one finishes within its timeout, one
// runs out of time (context::WithTimeout), one is cancelled by its caller from
// another goroutine (context::WithCancel), and one is cancelled with a cause
// (context::WithCancelCause, context::Cause). The program ends by checking
// that the goroutine count is back where it started.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/context_cancel/main.go. The output is the same on every
// run and for every GOMAXPROCS: every deadline and cancellation comes hundreds
// of milliseconds after the work before it and long before the work after it.
// meson test checks it against docs/examples/context_cancel.expected.
#include <goro/goro.h>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

using namespace goro;  // as goro's header examples do: context::, time::, select

namespace {

// Defer runs f when the scope ends: Go's `defer f()` for this example.
struct Defer {
  std::function<void()> f;
  ~Defer() { f(); }
};

// Sprint formats parts as Go's fmt.Sprint([]string{...}) does: "[a b c]".
std::string Sprint(const std::vector<std::string>& parts) {
  std::string s = "[";
  for (std::size_t i = 0; i < parts.size(); i++) s += (i ? " " : "") + parts[i];
  return s + "]";
}

// A Request is done in steps; each step takes its own time.
struct Request {                                // type Request struct {
  std::string name;                             //     name  string
  std::vector<time::Duration> steps;            //     steps []time.Duration
};                                              // }

// produce works through req's steps and sends a partial result after each.
// It watches ctx.Done() while it works and while it sends, so it stops, and
// its goroutine ends, as soon as nobody wants the rest.
//
// The trap: with a plain `out.send(part)` (Go's `out <- part`), a producer
// whose handler has given up would block on that send forever, one leaked
// goroutine per cancelled request. A time::Sleep for the step would not leak,
// but would keep working long after the answer stopped mattering.
void produce(context::Context ctx, Request req, send_chan<std::string> out) {  // func produce(ctx context.Context, req Request, out chan<- string) {
  for (std::size_t i = 0; i < req.steps.size(); i++) {  // for i, step := range req.steps {
    int chosen = select(                        //         select {
        case_recv(time::After(req.steps[i])),   //         case <-time.After(step): // one step of work
        case_recv(ctx.Done()));                 //         case <-ctx.Done():
    if (chosen == 1) return;                    //             return
                                                //         }
    std::string part = req.name + "-" + std::to_string(i + 1);  // part := fmt.Sprintf("%s-%d", req.name, i+1)
    chosen = select(                            //         select {
        case_send(out, part),                   //         case out <- part:
        case_recv(ctx.Done()));                 //         case <-ctx.Done(): // the fix: no leak
    if (chosen == 1) return;                    //             return
  }                                             //         }
                                                //     }
  close(out);                                   //     close(out) // every step is done
}                                               // }

// handle serves req until every part has arrived or ctx is done, whichever
// comes first. It returns the parts it got and why it stopped: OkStatus() when
// it finished, else ctx.Err() wrapped with the request's name (the code stays,
// so context::IsCanceled and IsDeadlineExceeded still recognise it).
std::pair<std::vector<std::string>, absl::Status> handle(  // func handle(ctx context.Context, req Request,
    context::Context ctx, Request req, sync::WaitGroup& wg) {  //     wg *sync.WaitGroup) ([]string, error) {
  auto parts = make_chan<std::string>();        //     parts := make(chan string)
  wg.Add(1);                                    //     wg.Add(1)
  go([ctx, req, parts, &wg] {                   //     go func() {
    produce(ctx, req, parts);                   //         produce(ctx, req, parts)
    wg.Done();                                  //         wg.Done()
  });                                           //     }()
  std::vector<std::string> got;                 //     var got []string
  for (;;) {                                    //     for {
    bool finished = false;
    absl::Status err;
    select(                                     //         select {
        case_recv(parts, [&](std::string part, bool ok) {  // case part, ok := <-parts:
          if (!ok) {                            //             if !ok {
            finished = true;                    //                 return got, nil
            return;                             //             }
          }
          got.push_back(part);                  //             got = append(got, part)
        }),
        case_recv(ctx.Done(), [&] {             //         case <-ctx.Done():
          err = absl::Status(ctx.Err().code(),  //             return got, fmt.Errorf("%s: %w", req.name, ctx.Err())
                             req.name + ": " + std::string(ctx.Err().message()));
        }));                                    //         }
    if (finished) return {got, absl::OkStatus()};
    if (!err.ok()) return {got, err};
  }                                             //     }
}                                               // }

// Report prints what a request got and why it stopped.
void Report(const std::string& what, const std::vector<std::string>& parts,
            const absl::Status& err) {
  if (err.ok()) {
    std::printf("%s: done: %s\n", what.c_str(), Sprint(parts).c_str());
  } else {
    std::printf("%s: stopped after %s: %s\n", what.c_str(), Sprint(parts).c_str(),
                std::string(err.message()).c_str());
  }
}

// 1. A request that finishes well within its timeout.
void Fast(sync::WaitGroup& wg) {                // func fast(wg *sync.WaitGroup) {
  time::Duration timeout = 5 * time::Second;    //     timeout := 5 * time.Second
  auto [ctx, cancel] = context::WithTimeout(context::Background(), timeout);  // ctx, cancel := context.WithTimeout(context.Background(), timeout)
  // Always call cancel, also when the work finished first: it stops the
  // deadline's timer and unlinks ctx from its parent now rather than when the
  // deadline passes. (Go's vet reports a forgotten cancel: "lostcancel".)
  Defer cancel_at_return{cancel};               //     defer cancel()
  auto [parts, err] = handle(ctx, {"fast", {20 * time::Millisecond, 20 * time::Millisecond,
                                            20 * time::Millisecond}}, wg);
  // parts, err := handle(ctx, Request{"fast", []time.Duration{20 * time.Millisecond,
  //     20 * time.Millisecond, 20 * time.Millisecond}}, wg)
  Report("fast, timeout " + timeout.String(), parts, err);  // report("fast, timeout "+timeout.String(), parts, err)
}                                               // }

// 2. A request that runs out of time: its third step would take an hour.
void Slow(sync::WaitGroup& wg) {                // func slow(wg *sync.WaitGroup) {
  time::Duration timeout = 500 * time::Millisecond;  // timeout := 500 * time.Millisecond
  auto [ctx, cancel] = context::WithTimeout(context::Background(), timeout);  // ctx, cancel := context.WithTimeout(context.Background(), timeout)
  Defer cancel_at_return{cancel};               //     defer cancel()
  auto [parts, err] = handle(ctx, {"slow", {10 * time::Millisecond, 10 * time::Millisecond,
                                            time::Hour}}, wg);
  // parts, err := handle(ctx, Request{"slow", []time.Duration{10 * time.Millisecond,
  //     10 * time.Millisecond, time.Hour}}, wg)
  Report("slow, timeout " + timeout.String(), parts, err);  // report("slow, timeout "+timeout.String(), parts, err)
  std::printf("  deadline exceeded: %s\n",      //     fmt.Println("  deadline exceeded:",
              context::IsDeadlineExceeded(err) ? "true" : "false");  // errors.Is(err, context.DeadlineExceeded))
}                                               // }

// 3. A request whose caller gives up, from another goroutine, while the second
// step is under way.
void Abandoned(sync::WaitGroup& wg) {           // func abandoned(wg *sync.WaitGroup) {
  auto [ctx, cancel] = context::WithCancel(context::Background());  // ctx, cancel := context.WithCancel(context.Background())
  Defer cancel_at_return{cancel};               //     defer cancel() // a second call does nothing
  wg.Add(1);                                    //     wg.Add(1)
  go([cancel = cancel, &wg] {                   //     go func() {
    time::Sleep(300 * time::Millisecond);       //         time.Sleep(300 * time.Millisecond)
    cancel();                                   //         cancel()
    wg.Done();                                  //         wg.Done()
  });                                           //     }()
  auto [parts, err] = handle(ctx, {"abandoned", {10 * time::Millisecond, time::Hour}}, wg);
  // parts, err := handle(ctx, Request{"abandoned", []time.Duration{10 * time.Millisecond, time.Hour}}, wg)
  Report("abandoned by the caller", parts, err);  // report("abandoned by the caller", parts, err)
  std::printf("  canceled: %s\n",               //     fmt.Println("  canceled:",
              context::IsCanceled(err) ? "true" : "false");  // errors.Is(err, context.Canceled))
}                                               // }

// 4. The same with a cause: Err() still says "context canceled"; Cause says why.
void Disconnected(sync::WaitGroup& wg) {        // func disconnected(wg *sync.WaitGroup) {
  auto [ctx, cancel] = context::WithCancelCause(context::Background());  // ctx, cancel := context.WithCancelCause(context.Background())
  Defer cancel_at_return{cancel};               //     defer cancel(nil)
  wg.Add(1);                                    //     wg.Add(1)
  go([cancel = cancel, &wg] {                   //     go func() {
    time::Sleep(300 * time::Millisecond);       //         time.Sleep(300 * time.Millisecond)
    cancel(absl::UnavailableError("client disconnected"));  // cancel(errors.New("client disconnected"))
    wg.Done();                                  //         wg.Done()
  });                                           //     }()
  auto [parts, err] = handle(ctx, {"disconnected", {10 * time::Millisecond,
                                                    10 * time::Millisecond, time::Hour}}, wg);
  // parts, err := handle(ctx, Request{"disconnected", []time.Duration{10 * time.Millisecond,
  //     10 * time.Millisecond, time.Hour}}, wg)
  Report("disconnected", parts, err);           //     report("disconnected", parts, err)
  std::printf("  cause: %s\n",                  //     fmt.Println("  cause:", context.Cause(ctx))
              std::string(context::Cause(ctx).message()).c_str());
}                                               // }

}  // namespace

int main() {                                    // func main() {
  int baseline = runtime::NumGoroutine();       //     baseline := runtime.NumGoroutine()
  sync::WaitGroup wg;                           //     var wg sync.WaitGroup
  Fast(wg);                                     //     fast(&wg)
  Slow(wg);                                     //     slow(&wg)
  Abandoned(wg);                                //     abandoned(&wg)
  Disconnected(wg);                             //     disconnected(&wg)

  // No leak: every producer (and every cancelling goroutine) has called Done.
  // A goroutine still counts until it has returned from its function, so give
  // the last ones the moment they need to do so.
  wg.Wait();                                    //     wg.Wait()
  while (runtime::NumGoroutine() > baseline) {  //     for runtime.NumGoroutine() > baseline {
    runtime::Gosched();                         //         runtime.Gosched()
  }                                             //     }
  std::printf("goroutines: %d at the start, %d at the end\n",  // fmt.Printf("goroutines: %d at the start, %d at the end\n",
              baseline, runtime::NumGoroutine());  //     baseline, runtime.NumGoroutine())
}                                               // }
