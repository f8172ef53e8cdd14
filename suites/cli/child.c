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

static void slurp(const char *path, char *text, size_t size)
{
    if (!text || size == 0)
        return;
    text[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(text, 1, size - 1, f);
    text[n] = '\0';
    fclose(f);
}

int child_run(char *const argv[], char *out_text, size_t out_size, char *err_text,
              size_t err_size)
{
    char out[] = "/tmp/mockkit-cli-out-XXXXXX", err[] = "/tmp/mockkit-cli-err-XXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    if (fo < 0 || fe < 0)
        return -1;
    close(fo);
    close(fe);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = -1;
    const char *bin = argv[0][0] == '/' ? argv[0] : MOCKKIT;
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = -1;
    if (rc == 0) {
        struct timespec step = {0, 10 * 1000 * 1000};
        int done = 0;
        for (int waited = 0; waited < 30000 && !done; waited += 10) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                done = 1;
            } else {
                nanosleep(&step, NULL);
            }
        }
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
    }
    slurp(out, out_text, out_size);
    slurp(err, err_text, err_size);
    remove(out);
    remove(err);
    return status;
}
