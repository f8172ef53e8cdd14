/* check_run.c: one suite run for `mockkit check`. The suite's stdout and
 * stderr come through a pipe and are read line by line as they arrive, so
 * each test gets a time (RUN line to result line), and the assertion
 * message, its location and a skip's reason are kept with the test they
 * belong to (suites write unbuffered, see suites/common/suite.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

#define MAX_TESTS 512

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What is known about the test currently running. */
typedef struct parse_state {
    char running[128];
    double started;
    char message[512];
    char location[256];
    char reason[256];
    char last_text[512];   /* the latest line that is not cmocka's own */
} parse_state;

static void add_test(suite_run *r, const parse_state *ps, const char *name, test_result res,
                     double at)
{
    for (size_t i = 0; i < r->test_count; i++)
        if (strcmp(r->tests[i].name, name) == 0)
            return;  /* cmocka repeats failures in its summary */
    if (r->test_count >= MAX_TESTS)
        return;
    test_case *t = &r->tests[r->test_count++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->result = res;
    t->seconds = ps->running[0] ? at - ps->started : 0;
    if (res == T_FAIL) {
        snprintf(t->message, sizeof t->message, "%s", ps->message);
        snprintf(t->location, sizeof t->location, "%s", ps->location);
    } else if (res == T_SKIP) {
        snprintf(t->reason, sizeof t->reason, "%s", ps->reason[0] ? ps->reason : "no reason given");
    }
    if (res == T_PASS)
        r->passed++;
    else if (res == T_FAIL)
        r->failed++;
    else
        r->skipped++;
}

/* "/abs/path/suites/bee/x.c:42: error: Failure!" -> "suites/bee/x.c:42". */
static void keep_location(char *dst, size_t size, const char *text)
{
    const char *from = strstr(text, "suites/");
    if (!from)
        from = text;
    const char *end = strstr(from, ": error:");
    snprintf(dst, size, "%.*s", end ? (int)(end - from) : (int)strlen(from), from);
}

static void parse_line(suite_run *r, parse_state *ps, const char *line, double at)
{
    if (starts_with(line, "[suite] ") && strstr(line, ": live target ")) {
        r->live_seen = 1;
        return;
    }
    if (starts_with(line, "skipped: ")) {
        snprintf(ps->reason, sizeof ps->reason, "%s", line + 9);
        return;
    }
    const char *tag_end = strstr(line, "] ");
    if (line[0] != '[' || !tag_end) {
        /* print_error text (suite_assert_*, fail_msg's own words) comes as
         * a plain line before cmocka's "[  ERROR   ] --- [   LINE   ] ...". */
        if (ps->running[0] && line[0])
            snprintf(ps->last_text, sizeof ps->last_text, "%s", line);
        return;
    }
    const char *rest = tag_end + 2;
    if (starts_with(rest, "--- ")) {
        /* An assert_* macro: "[  ERROR   ] --- 0x1 != 0" then
         * "[   LINE   ] --- file:line: error: Failure!" on the next line;
         * fail()/_fail after print_error: "[  ERROR   ] --- [   LINE   ] --- ...". */
        const char *text = rest + 4;
        if (starts_with(text, "[   LINE   ] --- ")) {
            text += 17;
            if (!ps->message[0])
                snprintf(ps->message, sizeof ps->message, "%s", ps->last_text);
        }
        if (starts_with(line, "[   LINE   ]") || text != rest + 4) {
            if (!ps->location[0])
                keep_location(ps->location, sizeof ps->location, text);
        } else if (!ps->message[0]) {
            snprintf(ps->message, sizeof ps->message, "%s", text);
        }
        return;
    }
    if (starts_with(line, "[ RUN      ]")) {
        memset(ps, 0, sizeof *ps);
        snprintf(ps->running, sizeof ps->running, "%s", rest);
        ps->started = at;
        return;
    }
    if (!ps->running[0] || strcmp(rest, ps->running) != 0)
        return;
    if (starts_with(line, "[       OK ]"))
        add_test(r, ps, rest, T_PASS, at);
    else if (starts_with(line, "[  SKIPPED ]"))
        add_test(r, ps, rest, T_SKIP, at);
    else if (starts_with(line, "[  FAILED  ]") || starts_with(line, "[  ERROR   ]"))
        add_test(r, ps, rest, T_FAIL, at);
    else
        return;
    ps->running[0] = '\0';
}

int mk_check_run_suite(const char *dir, const char *logdir, suite_run *r, int timeout_s)
{
    char path[4400];
    snprintf(path, sizeof path, "%.4000s/%.255s", dir, r->name);
    snprintf(r->log, sizeof r->log, "%.3800s/%.255s.log", logdir, r->name);
    if (!r->tests && !(r->tests = calloc(MAX_TESTS, sizeof *r->tests)))
        return -1;
    FILE *log = fopen(r->log, "w");
    int fds[2];
    if (!log || pipe(fds) != 0) {
        if (log)
            fclose(log);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* Suites must not inherit the blocked stop signals of the parent. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    char *args[] = {path, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, &attr, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (rc != 0) {
        fprintf(stderr, "mockkit check: cannot run %s: %s\n", path, strerror(rc));
        close(fds[0]);
        fclose(log);
        return -1;
    }
    r->ran = 1;
    double start = now_s();
    parse_state ps;
    memset(&ps, 0, sizeof ps);
    char line[2048];
    size_t used = 0;
    int killed = 0;
    for (;;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, 200);
        if (ready < 0 && errno != EINTR)
            break;
        if (!killed && now_s() - start > timeout_s) {
            fprintf(stderr, "mockkit check: %s ran past %d s, killed\n", r->name, timeout_s);
            kill(pid, SIGKILL);
            killed = 1;
        }
        if (ready <= 0)
            continue;
        char buf[4096];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;  /* every writer is gone */
        fwrite(buf, 1, (size_t)n, log);
        double at = now_s();
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || used == sizeof line - 1) {
                line[used] = '\0';
                if (used && line[used - 1] == '\r')
                    line[used - 1] = '\0';
                parse_line(r, &ps, line, at);
                used = 0;
                if (buf[i] == '\n')
                    continue;
            }
            line[used++] = buf[i];
        }
    }
    if (used) {
        line[used] = '\0';
        parse_line(r, &ps, line, now_s());
    }
    close(fds[0]);
    fclose(log);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    r->seconds = now_s() - start;
    r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* A test that started and never reported crashed the suite. */
    if (ps.running[0]) {
        if (!ps.message[0])
            snprintf(ps.message, sizeof ps.message, "the suite ended inside this test (exit %d)",
                     r->exit_status);
        add_test(r, &ps, ps.running, T_FAIL, now_s());
    }
    if (r->exit_status != 0 && r->failed == 0) {
        /* Crashed or failed outside any test (e.g. its group setup). */
        memset(&ps, 0, sizeof ps);
        snprintf(ps.message, sizeof ps.message, "the suite exited with status %d outside any test",
                 r->exit_status);
        add_test(r, &ps, "(suite setup or teardown)", T_FAIL, now_s());
    }
    return 0;
}

void mk_check_add_failure(suite_run *r, const char *name, const char *message)
{
    if (!r->tests)
        return;
    parse_state ps;
    memset(&ps, 0, sizeof ps);
    snprintf(ps.message, sizeof ps.message, "%s", message);
    add_test(r, &ps, name, T_FAIL, now_s());
}

void mk_check_demote_fixture_only(suite_run *r)
{
    if (!r->ran || r->live_seen)
        return;
    for (size_t i = 0; i < r->test_count; i++) {
        test_case *t = &r->tests[i];
        if (t->result != T_PASS)
            continue;
        t->result = T_SKIP;
        snprintf(t->reason, sizeof t->reason,
                 "reads the shipped fixtures only: not a check of the live service");
        r->passed--;
        r->skipped++;
    }
}
