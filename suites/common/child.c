/* child.c: see child.h. */
#include "child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUN_TIMEOUT_MS 30000
#define POLL_MS 10

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void pause_poll(void)
{
    struct timespec t = {0, POLL_MS * 1000000L};
    nanosleep(&t, NULL);
}

static int temp_file(char *path, size_t size, const char *tag)
{
    snprintf(path, size, "/tmp/mockkit-child-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* posix_spawn takes char *const argv[] (POSIX never writes to it, but says
 * so only in prose): a writable copy, so no const is cast away. */
static char **argv_copy(const char *const argv[])
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        if (!(out[i] = strdup(argv[i]))) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

int suite_child_start(suite_child *c, const char *const argv[])
{
    memset(c, 0, sizeof *c);
    if (!argv || !argv[0])
        return -1;
    if (temp_file(c->out_path, sizeof c->out_path, "out") != 0 ||
        temp_file(c->err_path, sizeof c->err_path, "err") != 0) {
        suite_child_cleanup(c);
        return -1;
    }
    char **args = argv_copy(argv);
    if (!args) {
        suite_child_cleanup(c);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, c->out_path, O_WRONLY | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, c->err_path, O_WRONLY | O_TRUNC, 0600);
    const char *bin = argv[0][0] == '/' ? argv[0] : SUITE_MOCKKIT;
    int rc = posix_spawn(&c->pid, bin, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    argv_free(args);
    if (rc != 0) {
        c->pid = 0;
        suite_child_cleanup(c);
        return -1;
    }
    return 0;
}

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    if (!text) {
        if (f)
            fclose(f);
        return NULL;
    }
    while (f) {
        if (len + 1 == cap) {
            char *more = realloc(text, cap * 2);
            if (!more)
                break;
            text = more;
            cap *= 2;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        if (n == 0)
            break;
        len += n;
    }
    if (f)
        fclose(f);
    text[len] = '\0';
    if (len_out)
        *len_out = len;
    return text;
}

char *suite_child_output(const suite_child *c, int fd, size_t *len)
{
    return slurp(fd == 2 ? c->err_path : c->out_path, len);
}

/* Reap without waiting: 1 when it has exited (c->status set). */
static int reaped(suite_child *c)
{
    int st;
    if (c->pid <= 0)
        return 1;
    if (waitpid(c->pid, &st, WNOHANG) != c->pid)
        return 0;
    c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    c->pid = 0;
    return 1;
}

static int printed(const suite_child *c, const char *needle)
{
    int found = 0;
    for (int fd = 1; fd <= 2 && !found; fd++) {
        char *text = suite_child_output(c, fd, NULL);
        found = text && strstr(text, needle) != NULL;
        free(text);
    }
    return found;
}

int suite_child_wait_output(suite_child *c, const char *needle, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    for (;;) {
        if (printed(c, needle))
            return 0;
        /* it may have printed just before it exited: look once more */
        if (reaped(c))
            return printed(c, needle) ? 0 : -1;
        if (now_ms() >= end)
            return -1;
        pause_poll();
    }
}

int suite_child_wait(suite_child *c, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    while (!reaped(c)) {
        if (now_ms() >= end) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, NULL, 0);
            c->pid = 0;
            c->status = -1;
            break;
        }
        pause_poll();
    }
    return c->status;
}

int suite_child_signal_wait(suite_child *c, int sig, int timeout_ms)
{
    if (c->pid > 0)
        kill(c->pid, sig);
    return suite_child_wait(c, timeout_ms);
}

void suite_child_cleanup(suite_child *c)
{
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = 0;
    }
    if (c->out_path[0])
        remove(c->out_path);
    if (c->err_path[0])
        remove(c->err_path);
    c->out_path[0] = c->err_path[0] = '\0';
}

static void copy_out(const suite_child *c, int fd, char *text, size_t size)
{
    if (!text || size == 0)
        return;
    size_t len = 0;
    char *all = suite_child_output(c, fd, &len);
    if (len > size - 1)
        len = size - 1;
    if (all)
        memcpy(text, all, len);  /* bytes, NUL included: some commands print NUL */
    text[all ? len : 0] = '\0';
    free(all);
}

static int run_for(const char *const argv[], int timeout_ms, char *out_text, size_t out_size,
                   char *err_text, size_t err_size)
{
    suite_child c;
    if (out_text && out_size)
        out_text[0] = '\0';
    if (err_text && err_size)
        err_text[0] = '\0';
    if (suite_child_start(&c, argv) != 0)
        return -1;
    int status = suite_child_wait(&c, timeout_ms);
    copy_out(&c, 1, out_text, out_size);
    copy_out(&c, 2, err_text, err_size);
    suite_child_cleanup(&c);
    return status;
}

int suite_child_run(const char *const argv[], char *out_text, size_t out_size, char *err_text,
                    size_t err_size)
{
    return run_for(argv, RUN_TIMEOUT_MS, out_text, out_size, err_text, err_size);
}

int suite_child_shell(const char *cmd, int timeout_ms, char *out, size_t out_size)
{
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    return run_for(argv, timeout_ms, out, out_size, NULL, 0);
}
