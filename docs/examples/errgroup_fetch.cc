// errgroup_fetch: fetch several URLs in parallel, at most three at a time,
// with errgroup; the first failure cancels the fetches still running and those
// not yet started.
//
// errgroup::WithContext gives a group and a context that the group cancels
// when a fetch fails; SetLimit(3) makes Go block while three fetches run; Wait
// returns the first error once every goroutine has returned. Each fetch writes
// only its own slot of `results`, so the results need no lock and print in the
// pages' order.
//
// Each goro line carries the Go line it stands for in a comment; the Go program
// is docs/examples/go/errgroup_fetch/main.go. The output is the same on every
// run and for every GOMAXPROCS: the fetches that succeed end hundreds of
// milliseconds before the failure, and the others would take an hour. meson
// test checks it against docs/examples/errgroup_fetch.expected.
#include <goro/errgroup.h>
#include <goro/goro.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"

using namespace goro;  // as goro's header examples do: context::, time::, errgroup::

namespace {

// A Page is what a fake server answers for a URL after a delay.
struct Page {                                   // type Page struct {
  std::string url;                              //     url    string
  time::Duration delay;                         //     delay  time.Duration
  int status;                                   //     status int // 200 or an HTTP error status
  int size;                                     //     size   int // the body's length when the status is 200
};                                              // }

// fetch pretends to download page: it waits for the page's delay or for ctx,
// whichever comes first.
absl::StatusOr<std::string> fetch(const context::Context& ctx, const Page& page) {  // func fetch(ctx context.Context, page Page) (string, error) {
  if (absl::Status err = ctx.Err(); !err.ok()) {  // if err := ctx.Err(); err != nil {
    return err;                                 //     return "", err // cancelled before it started
  }                                             // }
  int chosen = select(                          // select {
      case_recv(time::After(page.delay)),       // case <-time.After(page.delay):
      case_recv(ctx.Done()));                   // case <-ctx.Done():
  if (chosen == 1) return ctx.Err();            //     return "", ctx.Err()
                                                // }
  if (page.status != 200) {                     // if page.status != 200 {
    return absl::UnavailableError(              //     return "", fmt.Errorf("fetch %s: status %d", page.url, page.status)
        "fetch " + page.url + ": status " + std::to_string(page.status));
  }                                             // }
  return std::to_string(page.size) + " bytes";  // return fmt.Sprintf("%d bytes", page.size), nil
}                                               // }

// fetchAll fetches every page, at most limit at a time. It returns one line
// per page, in the pages' order, the most fetches seen running at once, and
// the first error.
std::tuple<std::vector<std::string>, int64_t, absl::Status> fetchAll(  // func fetchAll(pages []Page, limit int) ([]string, int64, error) {
    const std::vector<Page>& pages, int limit) {
  auto [g, ctx] = errgroup::WithContext(context::Background());  // g, ctx := errgroup.WithContext(context.Background())
  g.SetLimit(limit);                            // g.SetLimit(limit)
  std::vector<std::string> results(pages.size());  // results := make([]string, len(pages)) // one slot per page: no lock needed
  std::atomic<int64_t> inFlight{0}, most{0};    // var inFlight, most atomic.Int64
  for (std::size_t i = 0; i < pages.size(); i++) {  // for i, page := range pages {
    Page page = pages[i];                       //     i, page := i, page
    g.Go([&, ctx = ctx, i, page]() -> absl::Status {  // g.Go(func() error { // blocks while limit fetches are running
      int64_t n = inFlight.fetch_add(1) + 1;    //         n := inFlight.Add(1)
      for (int64_t m = most.load(); n > m && !most.compare_exchange_weak(m, n);) {
      }                                         //         for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {}
      absl::StatusOr<std::string> body = fetch(ctx, page);  // body, err := fetch(ctx, page)
      inFlight.fetch_sub(1);                    //         defer inFlight.Add(-1)
      if (!body.ok()) {                         //         if err != nil {
        results[i] = page.url + ": " + std::string(body.status().message());  // results[i] = page.url + ": " + err.Error()
        return body.status();                   //             return err
      }                                         //         }
      results[i] = page.url + ": " + *body;     //         results[i] = page.url + ": " + body
      return absl::OkStatus();                  //         return nil
    });                                         //     })
  }                                             // }
  absl::Status err = g.Wait();                  // err := g.Wait() // every goroutine has returned: results is complete
  return {results, most.load(), err};           // return results, most.Load(), err
}                                               // }

void report(const std::string& title, const std::vector<Page>& pages) {  // func report(title string, pages []Page) {
  std::printf("== %s\n", title.c_str());        //     fmt.Println("==", title)
  const int limit = 3;                          //     const limit = 3
  auto [results, most, err] = fetchAll(pages, limit);  // results, most, err := fetchAll(pages, limit)
  for (const std::string& line : results) {     //     for _, line := range results {
    std::printf("  %s\n", line.c_str());        //         fmt.Println("  " + line)
  }                                             //     }
  std::printf("  never more than %d at once: %s\n", limit,  // fmt.Println("  never more than", limit, "at once:", most <= limit)
              most <= limit ? "true" : "false");
  std::printf("  first error: %s\n",            //     fmt.Println("  first error:", err)
              err.ok() ? "<nil>" : std::string(err.message()).c_str());
}                                               // }

}  // namespace

int main() {                                    // func main() {
  const time::Duration ms = time::Millisecond;
  report("all succeed", {                       //     report("all succeed", []Page{
      {"https://example.com/a", 30 * ms, 200, 1270},  // {"https://example.com/a", 30 * time.Millisecond, 200, 1270},
      {"https://example.com/b", 10 * ms, 200, 512},   // {"https://example.com/b", 10 * time.Millisecond, 200, 512},
      {"https://example.com/c", 20 * ms, 200, 2048},  // {"https://example.com/c", 20 * time.Millisecond, 200, 2048},
      {"https://example.com/d", 10 * ms, 200, 96},    // {"https://example.com/d", 10 * time.Millisecond, 200, 96},
      {"https://example.com/e", 30 * ms, 200, 4000},  // {"https://example.com/e", 30 * time.Millisecond, 200, 4000},
  });                                           //     })
  // a and b finish long before broken fails; c and d are under way when it
  // does; e cannot start before a place frees up, after the failure.
  report("one fails", {                         //     report("one fails", []Page{
      {"https://example.com/a", 10 * ms, 200, 1270},  // {"https://example.com/a", 10 * time.Millisecond, 200, 1270},
      {"https://example.com/b", 10 * ms, 200, 512},   // {"https://example.com/b", 10 * time.Millisecond, 200, 512},
      {"https://example.com/broken", 300 * ms, 503, 0},  // {"https://example.com/broken", 300 * time.Millisecond, 503, 0},
      {"https://example.com/c", time::Hour, 200, 2048},  // {"https://example.com/c", time.Hour, 200, 2048},
      {"https://example.com/d", time::Hour, 200, 96},    // {"https://example.com/d", time.Hour, 200, 96},
      {"https://example.com/e", 10 * ms, 200, 4000},     // {"https://example.com/e", 10 * time.Millisecond, 200, 4000},
  });                                           //     })
}                                               // }
