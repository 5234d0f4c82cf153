/*
 * strictfs: a pass-through FUSE file system that records what a power cut would leave (LazyFS's model, small).
 *
 *   strictfs BACKING STORE MOUNTPOINT        (foreground, single-threaded; BACKING and STORE empty; as root)
 *
 * Every operation goes through to BACKING, so programs on MOUNTPOINT see an ordinary file system. Beside it,
 * strictfs keeps in STORE the durable state under the strictest model POSIX allows:
 *   - f<id>: a file's content as of its last fsync/fdatasync (a file never synced is empty);
 *   - d<id>: a directory's entries as of its last fsync, one "KIND ID MODE NAME" line each (a directory never
 *     synced has none): a name created, renamed or removed counts for a crash only once the directory that
 *     holds it has been synced.
 * The root directory is node 1 and starts empty. The power cut is: kill the writers, unmount; survivors.py then
 * builds from STORE the tree a machine would find after the cut. ext4's journal usually keeps more than this;
 * a program that is correct here is correct on any POSIX file system.
 *
 * A node has an id of its own, not the backing inode number: a new file may reuse the inode of a removed one
 * whose name still survives in a directory that was not synced since.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static char backing[PATH_MAX], store[PATH_MAX];
static struct node { ino_t ino; long id; } *nodes;
static size_t count, capacity;
static long last_id;

#define B(var, path) char var[PATH_MAX]; snprintf(var, sizeof var, "%s%s", backing, path)

static long id_find(ino_t ino) {
    for (size_t i = 0; i < count; i++)
        if (nodes[i].ino == ino) return nodes[i].id;
    return 0;
}

static void id_drop(ino_t ino) {
    for (size_t i = 0; i < count; i++)
        if (nodes[i].ino == ino) { nodes[i] = nodes[--count]; return; }
}

/* A node that did not exist before gets a fresh id, whatever inode the backing file system reused. */
static long id_new(const char *bpath) {
    struct stat st;
    if (lstat(bpath, &st) != 0) return 0;
    id_drop(st.st_ino);
    if (count == capacity) {
        capacity = capacity ? capacity * 2 : 256;
        nodes = realloc(nodes, capacity * sizeof *nodes);
        if (!nodes) abort();
    }
    nodes[count].ino = st.st_ino;
    nodes[count++].id = ++last_id;
    return last_id;
}

static long id_of(const char *bpath) {
    struct stat st;
    if (lstat(bpath, &st) != 0) return 0;
    long id = id_find(st.st_ino);
    return id ? id : id_new(bpath);
}

/* Before the last name of a node goes: its inode may come back as another node. */
static void forget(const char *bpath) {
    struct stat st;
    if (lstat(bpath, &st) == 0 && (S_ISDIR(st.st_mode) || st.st_nlink <= 1)) id_drop(st.st_ino);
}

static int publish(const char *tmp, char kind, long id) {
    char final[PATH_MAX];
    snprintf(final, sizeof final, "%s/%c%ld", store, kind, id);
    return rename(tmp, final) == 0 ? 0 : -errno;
}

/* fsync of a file: its current content becomes what survives. */
static int save_file(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    long id = id_find(st.st_ino);
    if (st.st_nlink == 0 || id == 0) return 0; /* unlinked: no name can bring this content back */
    char src[64], tmp[PATH_MAX], buf[1 << 16];
    snprintf(src, sizeof src, "/proc/self/fd/%d", fd); /* a new open: the program's may be write-only */
    snprintf(tmp, sizeof tmp, "%s/tmp", store);
    int in = open(src, O_RDONLY), out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ssize_t n = 0;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, n) != n) { n = -1; break; }
    int err = (in < 0 || out < 0 || n < 0) ? -EIO : 0;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return err ? err : publish(tmp, 'f', id);
}

/* fsync of a directory: its current entries become what survives. */
static int save_dir(const char *bpath) {
    long id = id_of(bpath);
    char tmp[PATH_MAX], child[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/tmp", store);
    DIR *d = opendir(bpath);
    FILE *out = fopen(tmp, "w");
    if (!d || !out) { if (d) closedir(d); if (out) fclose(out); return -EIO; }
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(child, sizeof child, "%s/%s", bpath, e->d_name);
        if (lstat(child, &st) != 0) continue;
        char kind = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : 'o';
        fprintf(out, "%c %ld %o %s\n", kind, id_of(child), st.st_mode & 07777, e->d_name);
    }
    closedir(d);
    fclose(out);
    return publish(tmp, 'd', id);
}

#define CHECK(call) return (call) == 0 ? 0 : -errno

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    B(p, path);
    CHECK(fi ? fstat(fi->fh, st) : lstat(p, st));
}

static int fs_readlink(const char *path, char *buf, size_t size) {
    B(p, path);
    ssize_t n = readlink(p, buf, size - 1);
    if (n < 0) return -errno;
    buf[n] = 0;
    return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void)off; (void)fi; (void)flags;
    B(p, path);
    DIR *d = opendir(p);
    if (!d) return -errno;
    for (struct dirent *e; (e = readdir(d));) fill(buf, e->d_name, NULL, 0, 0);
    closedir(d);
    return 0;
}

static int fs_mkdir(const char *path, mode_t mode) {
    B(p, path);
    if (mkdir(p, mode) != 0) return -errno;
    id_new(p);
    return 0;
}

static int fs_mknod(const char *path, mode_t mode, dev_t dev) {
    B(p, path);
    if (mknod(p, mode, dev) != 0) return -errno;
    id_new(p);
    return 0;
}

static int fs_symlink(const char *target, const char *path) {
    B(p, path);
    if (symlink(target, p) != 0) return -errno;
    id_new(p);
    return 0;
}

static int fs_link(const char *from, const char *to) { B(f, from); B(t, to); CHECK(link(f, t)); }
static int fs_unlink(const char *path) { B(p, path); forget(p); CHECK(unlink(p)); }
static int fs_rmdir(const char *path) { B(p, path); forget(p); CHECK(rmdir(p)); }

static int fs_rename(const char *from, const char *to, unsigned int flags) {
    B(f, from); B(t, to);
    if (flags) return -EINVAL;
    forget(t);
    CHECK(rename(f, t));
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    B(p, path);
    CHECK(fi ? fchmod(fi->fh, mode) : chmod(p, mode));
}

static int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    B(p, path);
    CHECK(fi ? fchown(fi->fh, uid, gid) : lchown(p, uid, gid));
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    B(p, path);
    CHECK(fi ? ftruncate(fi->fh, size) : truncate(p, size));
}

static int fs_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi) {
    B(p, path);
    CHECK(fi ? futimens(fi->fh, ts) : utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW));
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
    B(p, path);
    int fd = open(p, fi->flags & ~O_CREAT);
    if (fd < 0) return -errno;
    fi->fh = fd;
    return 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    B(p, path);
    struct stat st;
    int existed = lstat(p, &st) == 0;
    int fd = open(p, fi->flags | O_CREAT, mode);
    if (fd < 0) return -errno;
    if (!existed) id_new(p);
    fi->fh = fd;
    return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void)path;
    ssize_t n = pread(fi->fh, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void)path;
    ssize_t n = pwrite(fi->fh, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

static int fs_statfs(const char *path, struct statvfs *st) { (void)path; CHECK(statvfs(backing, st)); }
static int fs_release(const char *path, struct fuse_file_info *fi) { (void)path; close(fi->fh); return 0; }
static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) { (void)path; (void)datasync; return save_file(fi->fh); }
static int fs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) { (void)datasync; (void)fi; B(p, path); return save_dir(p); }

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void)conn;
    /* An open file that is unlinked keeps no hidden name (.fuse_hidden*) that a directory sync would record. */
    cfg->hard_remove = 1;
    cfg->nullpath_ok = 0; /* fsyncdir needs the path */
    return NULL;
}

static const struct fuse_operations ops = {
    .init = fs_init, .getattr = fs_getattr, .readlink = fs_readlink, .readdir = fs_readdir, .mkdir = fs_mkdir,
    .mknod = fs_mknod, .symlink = fs_symlink, .link = fs_link, .unlink = fs_unlink, .rmdir = fs_rmdir,
    .rename = fs_rename, .chmod = fs_chmod, .chown = fs_chown, .truncate = fs_truncate, .utimens = fs_utimens,
    .open = fs_open, .create = fs_create, .read = fs_read, .write = fs_write, .statfs = fs_statfs,
    .release = fs_release, .fsync = fs_fsync, .fsyncdir = fs_fsyncdir,
};

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: strictfs BACKING STORE MOUNTPOINT\n"); return 2; }
    if (!realpath(argv[1], backing) || !realpath(argv[2], store)) { perror("strictfs"); return 2; }
    id_of(backing); /* node 1, the root; its d1 is written at its first fsync (no file: no entries) */
    char *fargs[] = { argv[0], "-f", "-s", "-o", "default_permissions", argv[3], NULL };
    return fuse_main(6, fargs, &ops, NULL);
}
