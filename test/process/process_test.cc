// test/process/process_test.cc: runs the programs of test/process as child
// processes and checks their exit status, stdout and stderr. The programs'
// paths come from the environment (test/process/meson.build). A child that
// runs past kTimeout is killed and reported as a failure, not left to meson.
//
// The panic checks follow what go1.19 prints for an unrecovered panic in a
// goroutine (checked by running a Go program):
//   panic: boom
//   <blank line>
//   goroutine 6 [running]:
//   ...
//   exit status 2
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "doctest_include.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kTimeout(20);

struct Result {
  bool spawned = false;
  bool timed_out = false;
  bool exited = false;  // WIFEXITED
  int status = -1;      // WEXITSTATUS, or -signal
  std::string out;
  std::string err;
  double seconds = 0;
};

std::string ProgramPath(const char* env_name) {
  const char* p = std::getenv(env_name);
  return p != nullptr ? std::string(p) : std::string();
}

// Run starts path with args and GOMAXPROCS=procs (if procs > 0) and collects its
// output and status, killing it after kTimeout.
Result Run(const std::string& path, const std::vector<std::string>& args, int procs = 0) {
  Result r;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);

  std::vector<std::string> argv_s = {path};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; e++) {
    if (procs > 0 && std::strncmp(*e, "GOMAXPROCS=", 11) == 0) continue;
    env_s.emplace_back(*e);
  }
  if (procs > 0) env_s.push_back("GOMAXPROCS=" + std::to_string(procs));
  std::vector<char*> envp;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  const auto t0 = Clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  r.spawned = true;

  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* bufs[2] = {&r.out, &r.err};
  int open_fds = 2;
  const auto deadline = t0 + kTimeout;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        bufs[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  // Both pipes closed: the child (and every thread of it) is gone or closing;
  // still bound the wait, in case it closed its descriptors and hangs.
  int wstatus = 0;
  for (;;) {
    pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (r.timed_out || Clock::now() >= deadline) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      break;
    }
    usleep(1000);
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (WIFEXITED(wstatus)) {
    r.exited = true;
    r.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.status = -WTERMSIG(wstatus);
  }
  return r;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// CheckPanicShape checks Go's shape for an unrecovered panic in a goroutine.
void CheckPanicShape(const Result& r, const std::string& message) {
  INFO("stderr:\n" << r.err << "\nstdout:\n" << r.out);
  CHECK(r.spawned);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exited);
  CHECK(r.status == 2);
  const auto lines = Lines(r.err);
  size_t at = lines.size();
  for (size_t i = 0; i < lines.size(); i++) {
    if (lines[i] == "panic: " + message) {
      at = i;
      break;
    }
  }
  REQUIRE_MESSAGE(at < lines.size(), "no line \"panic: " << message << "\"");
  // Then a blank line and "goroutine N [running]:", N a goroutine's id (> 1).
  const std::regex goroutine_line(R"(^goroutine ([0-9]+) \[running\]:$)");
  size_t g = lines.size();
  for (size_t i = at + 1; i < lines.size(); i++) {
    if (std::regex_match(lines[i], goroutine_line)) {
      g = i;
      break;
    }
  }
  REQUIRE_MESSAGE(g < lines.size(), "no line \"goroutine N [running]:\" after the panic line");
  CHECK_MESSAGE(g == at + 2, "Go prints exactly one blank line between them");
  if (g == at + 2) CHECK(lines[at + 1].empty());
  std::smatch m;
  REQUIRE(std::regex_match(lines[g], m, goroutine_line));
  CHECK(std::stoull(m[1].str()) > 1);  // a goroutine, not main (1)
  CHECK(r.out.find("survived") == std::string::npos);
}

TEST_CASE("Process.ExitWithBlockedGoroutines") {
  const std::string path = ProgramPath("GORO_EXIT_BLOCKED");
  REQUIRE_MESSAGE(!path.empty(), "GORO_EXIT_BLOCKED is not set");
  for (int procs : {1, 2, 4}) {
    CAPTURE(procs);
    Result r = Run(path, {}, procs);
    INFO("stderr:\n" << r.err << "\nstdout:\n" << r.out);
    CHECK(r.spawned);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out.find("main done started=6") != std::string::npos);
    CHECK(r.err.empty());
    CHECK(r.seconds < 10.0);  // "promptly"; the program itself needs ~0.1 s
  }
}

TEST_CASE("Process.PanicInGoroutine.GoroPanic") {
  const std::string path = ProgramPath("GORO_PANIC_GOROUTINE");
  REQUIRE_MESSAGE(!path.empty(), "GORO_PANIC_GOROUTINE is not set");
  CheckPanicShape(Run(path, {"boom"}), "boom");
}

TEST_CASE("Process.PanicInGoroutine.StdException") {
  const std::string path = ProgramPath("GORO_PANIC_GOROUTINE");
  REQUIRE_MESSAGE(!path.empty(), "GORO_PANIC_GOROUTINE is not set");
  CheckPanicShape(Run(path, {"oops"}), "oops");
}

TEST_CASE("Process.PanicInGoroutine.SendOnClosedChannel") {
  const std::string path = ProgramPath("GORO_PANIC_GOROUTINE");
  REQUIRE_MESSAGE(!path.empty(), "GORO_PANIC_GOROUTINE is not set");
  for (int procs : {1, 2}) {
    CAPTURE(procs);
    CheckPanicShape(Run(path, {"closed"}, procs), "send on closed channel");
  }
}

TEST_CASE("Process.ThreadCap.ThreadExhaustion") {
  const std::string path = ProgramPath("GORO_THREAD_CAP");
  REQUIRE_MESSAGE(!path.empty(), "GORO_THREAD_CAP is not set");
  for (int procs : {1, 4}) {
    CAPTURE(procs);
    Result r = Run(path, {}, procs);
    INFO("stderr:\n" << r.err << "\nstdout:\n" << r.out);
    CHECK(r.spawned);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 2);
    CHECK(r.err.find("runtime: program exceeds 16-thread limit") != std::string::npos);
    CHECK(r.err.find("fatal error: thread exhaustion") != std::string::npos);
    // Go's TestThreadExhaustion: the two lines come in this order, together.
    CHECK(r.err.find("runtime: program exceeds 16-thread limit\nfatal error: thread exhaustion") !=
          std::string::npos);
    CHECK(r.out.find("no thread exhaustion") == std::string::npos);
  }
}

}  // namespace
