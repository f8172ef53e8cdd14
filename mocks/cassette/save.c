/* save.c: write a cassette atomically. A reader (the replay server, lint,
 * git) sees either the old file or the complete new one, never a half
 * written one, and a cassette that fails validation or holds a secret is
 * never written at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The folder of path ("." when none), for the temporary file and fsync. */
static void dir_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* Make the rename itself durable; best effort (some filesystems refuse). */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int write_atomic(const char *path, const char *text, mk_diag *diag)
{
    char dir[4096], tmp[4200];
    dir_of(path, dir, sizeof dir);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int n = snprintf(tmp, sizeof tmp, "%s/.%s.tmp-XXXXXX", dir, base);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return mk_cas__diag(diag, MK_CASSETTE_EIO, path, "path too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return mk_cas__diag(diag, MK_CASSETTE_EIO, path,
                            "cannot create a temporary file in %s: %s", dir, strerror(errno));
    const char *step = NULL;
    if (fchmod(fd, 0644) != 0)
        step = "chmod";
    else if (write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0)
        step = "write";
    else if (fsync(fd) != 0)
        step = "fsync";
    int err = errno;
    if (close(fd) != 0 && !step) {
        step = "close";
        err = errno;
    }
    if (!step && rename(tmp, path) != 0) {
        step = "rename";
        err = errno;
    }
    if (step) {
        unlink(tmp);
        return mk_cas__diag(diag, MK_CASSETTE_EIO, path, "cannot %s %s: %s", step,
                            strcmp(step, "rename") == 0 ? "into place" : tmp, strerror(err));
    }
    sync_dir(dir);
    return MK_CASSETTE_OK;
}

int mk_cassette_save_json(const cJSON *root, const char *path, mk_diag *diag)
{
    const char *name = path ? path : "<null>";
    mk_cas__diag_init(diag, name);
    if (!root || !path || !*path)
        return mk_cas__diag(diag, MK_CASSETTE_EINVAL, name, "NULL or empty %s",
                            root ? "path" : "document");
    mk_diag first;
    mk_cas__diag_init(&first, name);
    if (mk_cas__validate(root, mk_cas__first_issue, &first) > 0) {
        if (diag)
            *diag = first;
        return MK_CASSETTE_ESCHEMA;
    }
    if (mk_cas__scan(root, mk_cas__first_issue, &first) > 0) {
        if (diag)
            *diag = first;
        return MK_CASSETTE_ESECRET;
    }
    char *text = cJSON_Print(root);
    if (!text)
        return mk_cas__diag(diag, MK_CASSETTE_ENOMEM, name, "out of memory printing");
    int rc = write_atomic(path, text, diag);
    cJSON_free(text);
    return rc;
}
