/* fileio: whole-file reads (sizes around the growth steps, errors as errno) and atomic
 * replacement (mode kept, one temp-name scheme, nothing left behind on failure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static int setup(void **state) {
    (void)state;
    dir = e2e_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(dir);
    return 0;
}

static size_t entries_in(const char *d) {
    DIR *h = opendir(d);
    assert_non_null(h);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(h)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(h);
    return n;
}

/* Files of every size around the 4 KiB start and the doubling steps come back byte for byte,
 * with and without a size hint, NUL-terminated. */
static void test_read_sizes(void **state) {
    (void)state;
    const size_t sizes[] = {0, 1, 4094, 4095, 4096, 4097, 65536, 200001};
    char path[4200];
    snprintf(path, sizeof path, "%s/r.bin", dir);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        char *want = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            want[i] = (char)(i * 7 + k);
        assert_int_equal(fileio_write_atomic(path, want, n, 0644), 0);
        for (size_t hint = 0; hint <= n; hint += n ? n : 1) {
            size_t len = 12345;
            char *got = fileio_read_file(path, hint, &len);
            assert_non_null(got);
            assert_int_equal(len, n);
            if (n) assert_memory_equal(got, want, n);
            assert_int_equal(got[n], '\0');
            free(got);
        }
        free(want);
    }
}

static void test_read_errors(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/absent", dir);
    errno = 0;
    assert_null(fileio_read_file(path, 0, NULL));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(fileio_read_file(dir, 0, NULL)); /* opens, then read(2) says EISDIR */
    assert_int_equal(errno, EISDIR);
}

/* fileio_read_fd appends to what the buf holds and reads a pipe to its end. */
static void test_read_fd_appends(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "world", 5), 5);
    close(p[1]);
    buf b;
    buf_init(&b);
    buf_puts(&b, "hello ");
    assert_int_equal(fileio_read_fd(p[0], &b), 0);
    close(p[0]);
    assert_string_equal(b.data, "hello world");
    assert_int_equal(b.len, 11);
    buf_free(&b);
}

static void test_atomic_keeps_mode(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/mode.txt", dir);
    assert_int_equal(fileio_write_atomic(path, "x", 1, 0600), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(fileio_write_atomic(path, "yy", 2, 0600), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(st.st_size, 2);
    unlink(path);
}

/* A failed replacement leaves the old file and no temporary beside it. */
static void test_atomic_failure_leaves_nothing(void **state) {
    (void)state;
    char sub[4200], path[4300], bad[4300];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(bad, sizeof bad, "%s/missing/f", dir);
    errno = 0;
    assert_int_equal(fileio_write_atomic(bad, "x", 1, 0600), -1);
    assert_int_equal(errno, ENOENT);
    /* rename() over a directory fails: the temporary must go */
    snprintf(path, sizeof path, "%s/d", sub);
    assert_int_equal(mkdir(path, 0755), 0);
    errno = 0;
    assert_int_equal(fileio_write_atomic(path, "x", 1, 0600), -1);
    assert_int_equal(errno, EISDIR);
    assert_int_equal(entries_in(sub), 1);
    rmdir(path);
    rmdir(sub);
}

/* fileio_mkdirs makes every missing folder (an existing one is fine, twice too); a file in the
 * way is an error with errno, and nothing past it is made. */
static void test_mkdirs(void **state) {
    (void)state;
    char *deep = xasprintf("%s/a/b/c", dir);
    assert_int_equal(fileio_mkdirs(deep, 0755), 0);
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fileio_mkdirs(deep, 0755), 0);
    char *file = xasprintf("%s/a/file", dir);
    assert_int_equal(fileio_write_atomic(file, "x", 1, 0644), 0);
    char *under = xasprintf("%s/a/file/d/e", dir);
    assert_int_equal(fileio_mkdirs(under, 0755), -1);
    assert_int_equal(errno, ENOTDIR);
    free(deep), free(file), free(under);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_read_sizes),
                                       cmocka_unit_test(test_read_errors),
                                       cmocka_unit_test(test_read_fd_appends),
                                       cmocka_unit_test(test_atomic_keeps_mode),
                                       cmocka_unit_test(test_atomic_failure_leaves_nothing),
                                       cmocka_unit_test(test_mkdirs)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
