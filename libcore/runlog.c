/*
 * runlog.c - the record of a running `session run` beside the history, and
 * finding the runs whose insight was killed; see insight/runlog.h.
 */
#define _GNU_SOURCE

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "insight/errors.h"
#include "insight/runlog.h"

struct ins_runlog {
	char *dir, *id, *log, *meta;
	int fd;                 /* the log, locked */
	cJSON *doc;             /* the description as last written */
	pthread_mutex_t lock;
};

/* The boot's id, so that a pid from before a reboot is never taken for a live one. */
static void boot_id(char out[64])
{
	FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");

	out[0] = '\0';
	if (!fp)
		return;
	if (!fgets(out, 64, fp))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	fclose(fp);
}

/* /proc/<pid>/stat's 22nd field, 0 when unknown; *state gets the 3rd (R, S, Z ...). */
static unsigned long long proc_stat(long pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid > 0 ? pid : (long)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name in parentheses may hold anything: count fields after the last ')'. */
	if (!(p = strrchr(buf, ')')))
		return 0;
	p++;
	if (state && p[0] == ' ')
		*state = p[1];
	/* Field 3 (state) follows; starttime is field 22. */
	for (int field = 2; field < 21 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

unsigned long long ins_proc_start(long pid)
{
	return proc_stat(pid, NULL);
}

int ins_proc_alive(long pid, unsigned long long start, const char *boot)
{
	unsigned long long now_start;
	char state = '?';

	char now[64];
	struct stat st;

	if (pid <= 0)
		return 0;
	if (stat("/proc/self/stat", &st) != 0)
		return kill((pid_t)pid, 0) == 0 || errno == EPERM; /* no /proc: trust the pid */
	boot_id(now);
	if (boot && *boot && *now && strcmp(boot, now))
		return 0; /* the machine restarted since */
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return 0;
	now_start = proc_stat(pid, &state);
	if (state == 'Z' || state == 'X')
		return 0; /* dead, not yet reaped by its parent */
	return !start || now_start == start;
}

/* Write the description beside its final name and rename it into place. */
static int write_doc(const char *path, cJSON *doc)
{
	char *text = cJSON_Print(doc);
	ins_buf tmp = INS_BUF_INIT;
	size_t len, off = 0;
	int fd = -1, rc = 0;

	if (!text)
		return ins_error_set(INS_ERROR, "out of memory");
	len = strlen(text);
	ins_buf_printf(&tmp, "%s.tmp", path);
	if ((fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		rc = ins_error_set(INS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ins_error_set(INS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
			goto done;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = ins_error_set(INS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0)
		rc = ins_error_set(INS_EIO, "cannot write '%s': %s", path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp.ptr);
	ins_buf_release(&tmp);
	free(text);
	return rc;
}

static void put_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (value)
		cJSON_AddStringToObject(obj, key, value);
}

static void put_num(cJSON *obj, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddNumberToObject(obj, key, value);
}

/*
 * `item` as member `key` of `obj`, in place of the one there: the
 * description is written again once the git and CI facts are known.
 * Returns item.
 */
static cJSON *put_item(cJSON *obj, const char *key, cJSON *item)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, item);
	return item;
}

/* The session info's fields in `doc` (those it has). */
static void describe(cJSON *doc, const ins_session_info *info)
{
	cJSON *o;

	put_str(doc, "sut", info->sut);
	put_str(doc, "command", info->command);
	put_str(doc, "host", info->host);
	put_num(doc, "started_ms", (double)info->started_ms);
	o = put_item(doc, "tags", cJSON_CreateArray());
	for (size_t i = 0; i < info->ntags; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "key", info->tags[i].key);
		cJSON_AddStringToObject(t, "value", info->tags[i].value);
		cJSON_AddItemToArray(o, t);
	}
	if (info->git && info->git->present) {
		const ins_git_facts *g = info->git;
		o = put_item(doc, "git", cJSON_CreateObject());
		put_str(o, "commit", g->commit);
		put_str(o, "tree", g->tree);
		put_str(o, "branch", g->branch);
		put_str(o, "parents", g->parents);
		put_str(o, "author", g->author);
		put_str(o, "subject", g->subject);
		put_num(o, "dirty", g->dirty);
		put_num(o, "commit_time_ms", (double)g->commit_time_ms);
	}
	if (info->ci && info->ci->provider) {
		const ins_ci_facts *c = info->ci;
		o = put_item(doc, "ci", cJSON_CreateObject());
		put_str(o, "provider", c->provider);
		put_str(o, "build_id", c->build_id);
		put_str(o, "build_url", c->build_url);
		put_str(o, "job", c->job);
		put_str(o, "pr", c->pr);
		put_str(o, "branch", c->branch);
		put_str(o, "base_branch", c->base_branch);
		put_str(o, "commit", c->commit);
		put_str(o, "repo", c->repo);
	}
}

/* The folder of the history's runs: .insight/runs beside .insight/history.db. */
static int runs_dir(ins_buf *out, const char *history, char **real)
{
	char *r = realpath(history, NULL), *slash;

	if (!r)
		return ins_error_set(INS_ENOTFOUND, "cannot resolve '%s': %s", history, strerror(errno));
	slash = strrchr(r, '/');
	ins_buf_clear(out);
	ins_buf_put(out, r, slash ? (size_t)(slash - r) : 0);
	ins_buf_puts(out, "/runs");
	if (real)
		*real = r;
	else
		free(r);
	return 0;
}

int ins_runlog_start(ins_runlog **out, const char *history, const ins_session_info *info,
		     const ins_runlog_extra *extra)
{
	ins_runlog *rl = ins_xcalloc(1, sizeof(*rl));
	ins_buf dir = INS_BUF_INIT, tmp = INS_BUF_INIT, s = INS_BUF_INIT;
	char *real = NULL, boot[64], cwd[PATH_MAX];
	cJSON *rep;
	int rc;

	rl->fd = -1;
	pthread_mutex_init(&rl->lock, NULL);
	if ((rc = runs_dir(&dir, history, &real)) < 0)
		goto done;
	if (mkdir(dir.ptr, 0700) != 0 && errno != EEXIST) {
		rc = ins_error_set(INS_EIO, "cannot create '%s': %s", dir.ptr, strerror(errno));
		goto done;
	}
	rl->dir = ins_buf_detach(&dir);
	ins_buf_printf(&s, "%lld-%ld", (long long)(info->started_ms ? info->started_ms : 0),
		       (long)getpid());
	rl->id = ins_buf_detach(&s);
	ins_buf_printf(&s, "%s/%s.log", rl->dir, rl->id);
	rl->log = ins_buf_detach(&s);
	ins_buf_printf(&s, "%s/%s.json", rl->dir, rl->id);
	rl->meta = ins_buf_detach(&s);

	ins_buf_printf(&tmp, "%s/.%s.log.tmp", rl->dir, rl->id);
	rl->fd = open(tmp.ptr, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (rl->fd < 0 || flock(rl->fd, LOCK_EX | LOCK_NB) != 0) {
		rc = ins_error_set(INS_EIO, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	rl->doc = cJSON_CreateObject();
	boot_id(boot);
	cJSON_AddNumberToObject(rl->doc, "version", 1);
	cJSON_AddStringToObject(rl->doc, "history", real);
	cJSON_AddNumberToObject(rl->doc, "pid", (double)getpid());
	cJSON_AddNumberToObject(rl->doc, "pid_start", (double)ins_proc_start(0));
	if (*boot)
		cJSON_AddStringToObject(rl->doc, "boot_id", boot);
	if (getcwd(cwd, sizeof(cwd)))
		cJSON_AddStringToObject(rl->doc, "cwd", cwd);
	cJSON_AddBoolToObject(rl->doc, "pytest", !extra || !extra->nreports);
	cJSON_AddBoolToObject(rl->doc, "keep_all_text", extra && extra->keep_all_text);
	rep = cJSON_AddArrayToObject(rl->doc, "reports");
	for (size_t i = 0; extra && i < extra->nreports; i++)
		cJSON_AddItemToArray(rep, cJSON_CreateString(extra->reports[i]));
	describe(rl->doc, info);
	if ((rc = write_doc(rl->meta, rl->doc)) < 0)
		goto done;
	/* link(), not rename(): never replace the log of another run of the same name. */
	if (link(tmp.ptr, rl->log) != 0) {
		rc = ins_error_set(INS_EIO, "cannot create '%s': %s", rl->log, strerror(errno));
		goto done;
	}
	unlink(tmp.ptr);
	ins_buf_clear(&tmp);
done:
	if (rc < 0) {
		if (tmp.len)
			unlink(tmp.ptr);
		ins_runlog_end(rl, 0);
		rl = NULL;
	}
	*out = rl;
	free(real);
	ins_buf_release(&dir);
	ins_buf_release(&tmp);
	ins_buf_release(&s);
	return rc;
}

const char *ins_runlog_path(const ins_runlog *rl)
{
	return rl ? rl->log : NULL;
}

int ins_runlog_set_child(ins_runlog *rl, long pid)
{
	int rc;

	if (!rl)
		return 0;
	pthread_mutex_lock(&rl->lock);
	put_num(rl->doc, "child_pid", (double)pid);
	put_num(rl->doc, "child_start", (double)ins_proc_start(pid));
	rc = write_doc(rl->meta, rl->doc);
	pthread_mutex_unlock(&rl->lock);
	return rc;
}

int ins_runlog_describe(ins_runlog *rl, const ins_session_info *info)
{
	int rc;

	if (!rl)
		return 0;
	pthread_mutex_lock(&rl->lock);
	describe(rl->doc, info);
	rc = write_doc(rl->meta, rl->doc);
	pthread_mutex_unlock(&rl->lock);
	return rc;
}

/* The description, and what a write of it cut short by a kill left beside it. */
static void unlink_meta(const char *meta)
{
	ins_buf tmp = INS_BUF_INIT;

	unlink(meta);
	ins_buf_printf(&tmp, "%s.tmp", meta);
	unlink(tmp.ptr);
	ins_buf_release(&tmp);
}

void ins_runlog_end(ins_runlog *rl, int remove)
{
	if (!rl)
		return;
	if (remove && rl->meta) {
		/* The description first: a log without one is never taken for an orphan. */
		unlink_meta(rl->meta);
		unlink(rl->log);
	}
	if (rl->fd >= 0)
		close(rl->fd); /* and the lock goes with it */
	cJSON_Delete(rl->doc);
	pthread_mutex_destroy(&rl->lock);
	free(rl->dir);
	free(rl->id);
	free(rl->log);
	free(rl->meta);
	free(rl);
}

/* ---- orphans ---- */

static const char *get_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double get_num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static char *get_dup(const cJSON *obj, const char *key)
{
	return ins_xstrdup(get_str(obj, key));
}

static void orphan_release(ins_runlog_orphan *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	cJSON_Delete(o->doc);
	ins_git_facts_release(&o->git);
	ins_ci_facts_release(&o->ci);
	free(o->tags);
	free(o->reports);
	free(o->id);
	free(o->log);
	free(o->meta);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

/* Fill `o` from its description; 0, or -1 when it is not one of this history's runs. */
static int orphan_read(ins_runlog_orphan *o, const char *real_history, int64_t mtime_ms)
{
	ins_buf text = INS_BUF_INIT;
	const cJSON *doc, *arr, *g, *c;
	char buf[8192];
	size_t i = 0;
	ssize_t n;
	int fd = open(o->meta, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ins_buf_put(&text, buf, (size_t)n);
	close(fd);
	o->doc = cJSON_Parse(text.ptr);
	ins_buf_release(&text);
	doc = o->doc;
	if (!cJSON_IsObject(doc) || !get_str(doc, "history") ||
	    strcmp(get_str(doc, "history"), real_history))
		return -1;
	o->pid = (long)get_num(doc, "pid");
	o->is_pytest = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "pytest"));
	o->keep_all_text = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "keep_all_text"));
	o->info.sut = get_str(doc, "sut");
	o->info.command = get_str(doc, "command");
	o->info.host = get_str(doc, "host");
	o->info.started_ms = (int64_t)get_num(doc, "started_ms");
	/* The last the run wrote is as near as its end can be known. */
	o->info.finished_ms = mtime_ms > o->info.started_ms ? mtime_ms : 0;
	o->info.state = INS_SESSION_INTERRUPTED;
	arr = cJSON_GetObjectItemCaseSensitive(doc, "tags");
	o->tags = ins_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*o->tags));
	for (const cJSON *t = arr ? arr->child : NULL; t; t = t->next) {
		if (!get_str(t, "key") || !get_str(t, "value"))
			continue;
		o->tags[i].key = get_str(t, "key");
		o->tags[i++].value = get_str(t, "value");
	}
	o->info.tags = o->tags;
	o->info.ntags = i;
	arr = cJSON_GetObjectItemCaseSensitive(doc, "reports");
	o->reports = ins_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*o->reports));
	for (const cJSON *t = arr ? arr->child : NULL; t; t = t->next)
		if (cJSON_IsString(t))
			o->reports[o->nreports++] = t->valuestring;
	if ((g = cJSON_GetObjectItemCaseSensitive(doc, "git")) && cJSON_IsObject(g)) {
		o->git.present = 1;
		o->git.commit = get_dup(g, "commit");
		o->git.tree = get_dup(g, "tree");
		o->git.branch = get_dup(g, "branch");
		o->git.parents = get_dup(g, "parents");
		o->git.author = get_dup(g, "author");
		o->git.subject = get_dup(g, "subject");
		o->git.dirty = (int)get_num(g, "dirty");
		o->git.commit_time_ms = (int64_t)get_num(g, "commit_time_ms");
		o->info.git = &o->git;
	}
	if ((c = cJSON_GetObjectItemCaseSensitive(doc, "ci")) && cJSON_IsObject(c)) {
		o->ci.provider = get_dup(c, "provider");
		o->ci.build_id = get_dup(c, "build_id");
		o->ci.build_url = get_dup(c, "build_url");
		o->ci.job = get_dup(c, "job");
		o->ci.pr = get_dup(c, "pr");
		o->ci.branch = get_dup(c, "branch");
		o->ci.base_branch = get_dup(c, "base_branch");
		o->ci.commit = get_dup(c, "commit");
		o->ci.repo = get_dup(c, "repo");
		o->info.ci = &o->ci;
	}
	return o->info.sut && *o->info.sut ? 0 : -1;
}

/* Whether a process of the run described in `doc` still runs. */
static int run_alive(const cJSON *doc)
{
	const char *boot = get_str(doc, "boot_id");

	return ins_proc_alive((long)get_num(doc, "pid"), (unsigned long long)get_num(doc, "pid_start"),
			      boot) ||
	       ins_proc_alive((long)get_num(doc, "child_pid"),
			      (unsigned long long)get_num(doc, "child_start"), boot);
}

int ins_runlog_orphans(const char *history, ins_runlog_orphan **out, size_t *n, size_t *live)
{
	ins_buf dir = INS_BUF_INIT, s = INS_BUF_INIT;
	ins_runlog_orphan *v = NULL;
	size_t nv = 0, alloc = 0, busy = 0;
	char *real = NULL;
	struct dirent *de;
	DIR *d = NULL;

	*out = NULL;
	*n = 0;
	if (live)
		*live = 0;
	if (runs_dir(&dir, history, &real) < 0 || !(d = opendir(dir.ptr))) {
		ins_error_clear();
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		ins_runlog_orphan o = { 0 };
		struct stat by_fd, by_path;

		o.fd = -1;
		if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".log"))
			continue;
		o.id = ins_xstrndup(de->d_name, len - 4);
		ins_buf_clear(&s);
		ins_buf_printf(&s, "%s/%s", dir.ptr, de->d_name);
		o.log = ins_buf_detach(&s);
		ins_buf_printf(&s, "%s/%s.json", dir.ptr, o.id);
		o.meta = ins_buf_detach(&s);
		o.fd = open(o.log, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (o.fd < 0) {
			orphan_release(&o);
			continue;
		}
		if (flock(o.fd, LOCK_EX | LOCK_NB) != 0) {
			busy++; /* its insight runs, or another one is storing it */
			orphan_release(&o);
			continue;
		}
		/* Locked: still the file of that name (not one another process took and removed)? */
		if (fstat(o.fd, &by_fd) != 0 || stat(o.log, &by_path) != 0 ||
		    by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev) {
			orphan_release(&o);
			continue;
		}
		if (orphan_read(&o, real, (int64_t)by_fd.st_mtim.tv_sec * 1000 +
				by_fd.st_mtim.tv_nsec / 1000000) < 0) {
			orphan_release(&o);
			continue;
		}
		if (run_alive(o.doc)) {
			busy++; /* the command outlived its insight and still writes the log */
			orphan_release(&o);
			continue;
		}
		v = ins_xgrow(v, &alloc, nv + 1, sizeof(*v));
		v[nv++] = o;
	}
done:
	if (d)
		closedir(d);
	free(real);
	ins_buf_release(&dir);
	ins_buf_release(&s);
	*out = v;
	*n = nv;
	if (live)
		*live = busy;
	return 0;
}

void ins_runlog_orphan_remove(ins_runlog_orphan *o)
{
	unlink_meta(o->meta);
	unlink(o->log);
}

void ins_runlog_orphans_free(ins_runlog_orphan *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		orphan_release(&v[i]);
	free(v);
}
