/* serve.c: run `mockkit serve` as a user runs it, in a child process, for
 * the benchmarks that measure the default path. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define READY_WAIT_MS 10000
#define STOP_WAIT_MS 5000
#define MAX_ARGS 32

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The mockkit binary next to this one, unless --mockkit names it. */
static void mockkit_path(const mkb_opts *o, char *out, size_t size)
{
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (o->mockkit) {
        snprintf(out, size, "%s", o->mockkit);
        return;
    }
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/mockkit", n > 0 ? self : ".");
}

static void print_log(const char *log)
{
    char line[512];
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        fprintf(stderr, "mockkit-bench: serve: %s", line);
    fclose(f);
}

pid_t mkb_serve_start(const mkb_opts *o, const char *name, const char *const *args, char *url,
                      size_t size)
{
    char bin[1100], ready[512], log[512];
    const char *argv[MAX_ARGS + 6];
    int argc = 0;
    mockkit_path(o, bin, sizeof bin);
    snprintf(ready, sizeof ready, "%s/serve-ready-%s", o->tmpdir, name);
    snprintf(log, sizeof log, "%s/serve-log-%s", o->tmpdir, name);
    argv[argc++] = bin;
    argv[argc++] = "serve";
    for (int i = 0; i < MAX_ARGS && args[i]; i++)
        argv[argc++] = args[i];
    argv[argc++] = "--ready-file";
    argv[argc++] = ready;
    argv[argc] = NULL;
    unlink(ready);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* its service lines and notes go to a log, shown if it fails */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execv(bin, (char *const *)(uintptr_t)argv);
        fprintf(stderr, "mockkit-bench: exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    for (int waited = 0; waited < READY_WAIT_MS; waited += 20) {
        FILE *f = fopen(ready, "r");
        char svc[32], u[256];
        if (f) {
            int got = fscanf(f, "%31s %255s", svc, u) == 2;
            fclose(f);
            if (got) {
                snprintf(url, size, "%s", u);
                return pid;
            }
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            print_log(log); /* it exited: its log says why */
            return -1;
        }
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    print_log(log);
    return -1;
}

void mkb_serve_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int waited = 0; waited < STOP_WAIT_MS; waited += 20) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
