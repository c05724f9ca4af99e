/*
 * fetch.c — downloading an image over http(s) with libcurl: into a file
 * in the store's staging folder, resuming a download that was cut off
 * (an HTTP Range request from the size already there), with progress and
 * cancel through the job, and never following a redirect to anything but
 * http(s), nor from https to http.
 *
 * A partial download keeps the validator of the version it holds (the
 * server's strong ETag, else its Last-Modified) beside it in PATH.validator.
 * Resuming sends it as If-Range: a server whose file changed meanwhile
 * answers with all of the new one (200) instead of the rest (206), and the
 * download starts again from zero, so two versions are never joined.  A
 * partial without a validator is resumed only within the same run.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/i18n.h"
#include "core/files.h"
#include "images/images-priv.h"

/* free space is checked again after this much (or a larger block) */
#define SPACE_STEP (4u << 20)
/* a connection that moves less than 1 byte/s for this long is dead */
#define STALL_SECONDS 60
#define CONNECT_SECONDS 30
/* tries within one import when each one got further than the last */
#define MAX_TRIES 3

struct sink {
	int fd;
	int write_errno;       /* errno of a failed write, 0 if none */
	struct job *job;
	double p0, p1;
	curl_off_t offset;     /* bytes there before this request */
	curl_off_t received;   /* bytes written by this request */
	GString *mem;          /* fetch_to_memory: the body */
	size_t max;
	CURL *c;
	const char *vpath;     /* fetch_to_file: where the validator goes */
	const char *dir;       /* fetch_to_file: the folder, for space checks */
	const char *url;
	uint64_t room;         /* bytes it may write before the next check */
	bool no_room;          /* stopped before the file system was full */
	bool started;          /* the answer's first block was seen */
	bool restarted;        /* the server's file changed: from zero again */
	bool bad_range;        /* a 206 for another part than asked */
};

static void curl_init_once(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&done, 1);
	}
}

/* The value of the header @name of the last answer on @c, NULL if none;
 * valid until the next call. */
static const char *header(CURL *c, const char *name)
{
	struct curl_header *h;

	return curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK ? h->value : NULL;
}

/* The answer's validator for a later If-Range: its ETag unless weak (an
 * If-Range compares strongly), else its Last-Modified; NULL if none. */
static const char *answer_validator(CURL *c)
{
	const char *etag = header(c, "ETag");

	return etag && !g_str_has_prefix(etag, "W/") ? etag : header(c, "Last-Modified");
}

/* Whether the file system has room for @len more bytes of the download
 * @s beside [limits] reserve, checked when the room found at the last
 * check is used up; at the first block (@len 0) for all the server says
 * it sends.  false with an error recorded. */
static bool room_for(struct sink *s, size_t len)
{
	curl_off_t total = 0;
	uint64_t want = MAX((uint64_t)len, SPACE_STEP);

	if (len && s->room >= len) {
		s->room -= len;
		return true;
	}
	if (!len && curl_easy_getinfo(s->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total) == CURLE_OK &&
	    total > 0)
		want = (uint64_t)total;
	if (core_space_check(s->dir, want, s->url) < 0) {
		s->no_room = true;
		return false;
	}
	s->room = want - len;
	return true;
}

/* The first block of an answer to fetch_to_file: a 206 must be the rest
 * asked for; anything else is the whole file from its first byte (the
 * version kept is not the server's, or the server cannot send parts).
 * The validator of a new version goes beside the file.  false aborts. */
static bool on_answer(struct sink *s)
{
	const char *v;
	long code = 0;

	s->started = true;
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
	if (s->offset > 0 && code == 206) {
		const char *range = header(s->c, "Content-Range");
		gint64 start = -1;

		if (!range || sscanf(range, "bytes %" SCNd64 "-", &start) != 1 ||
		    start != s->offset) {
			s->bad_range = true;
			return false;
		}
		return true;
	}
	if (s->offset > 0) {
		if (ftruncate(s->fd, 0) < 0) {
			s->write_errno = errno;
			return false;
		}
		s->offset = 0;
		s->restarted = true;
	}
	unlink(s->vpath);
	v = answer_validator(s->c);
	if (!room_for(s, 0))
		return false;
	/* when it cannot be written, a later run starts again from zero */
	if (v)
		(void)core_write_file_atomic(s->vpath, v, strlen(v), 0600);
	return true;
}

/* libcurl: a block of the body arrived. */
static size_t on_data(char *p, size_t size, size_t n, void *opaque)
{
	struct sink *s = opaque;
	size_t len = size * n;

	if (s->mem) {
		if (s->mem->len + len > s->max)
			return 0;
		g_string_append_len(s->mem, p, (gssize)len);
		return len;
	}
	if (!s->started && !on_answer(s))
		return 0;
	if (!room_for(s, len))
		return 0;
	if (core_write_all(s->fd, p, len) < 0) {
		s->write_errno = errno;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	s->received += (curl_off_t)len;
	return len;
}

/* libcurl: progress; a non-zero return aborts (the user cancelled). */
static int on_progress(void *opaque, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct sink *s = opaque;
	curl_off_t done = s->offset + dlnow, total = s->offset + dltotal;

	if (job_cancelled(s->job))
		return 1;
	if (dltotal > 0)
		job_progress(s->job, s->p0 + (s->p1 - s->p0) * (double)done / (double)total,
			     s->restarted ?
			     _("Downloading again from the start (the file on the server changed): %" PRId64 " of %" PRId64 " MiB") :
			     _("Downloading: %" PRId64 " of %" PRId64 " MiB"),
			     (gint64)(done >> 20), (gint64)(total >> 20));
	else
		job_progress(s->job, s->p0, s->restarted ?
			     _("Downloading again from the start (the file on the server changed): %" PRId64 " MiB") :
			     _("Downloading: %" PRId64 " MiB"),
			     (gint64)(done >> 20));
	return 0;
}

/* A handle for @url with vmtui's limits: http(s) only, also on redirects,
 * and never from https to http; errors for HTTP codes of 400 and more; no
 * endless stall.  The certificate authorities are the system's, or those
 * in the file CURL_CA_BUNDLE names, as for the curl tool. */
static CURL *new_handle(const char *url, struct sink *s, char *errbuf)
{
	CURL *c = curl_easy_init();
	const char *ca = g_getenv("CURL_CA_BUNDLE");

	if (!c)
		return NULL;
	s->c = c;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
			 g_str_has_prefix(url, "https://") ? "https" : "http,https");
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_SECONDS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)STALL_SECONDS);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	errbuf[0] = '\0';
	return c;
}

/* The message for a failed transfer: curl's detail when it has one. */
static const char *curl_reason(CURLcode rc, const char *errbuf)
{
	return errbuf[0] ? errbuf : curl_easy_strerror(rc);
}

/* Whether @rc is a connection that broke mid-way (worth resuming). */
static bool cut_off(CURLcode rc)
{
	return rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_SEND_ERROR;
}

/* Records why the transfer of @url on @c ended with @rc. */
static void report(const char *url, CURL *c, CURLcode rc, const char *errbuf)
{
	const char *to = NULL;
	long code = 0, hops = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &hops);
	/* a redirect to a scheme CURLOPT_REDIR_PROTOCOLS_STR refuses: the
	 * effective URL is the one refused */
	if (rc == CURLE_UNSUPPORTED_PROTOCOL && hops > 0)
		curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &to);
	if (code >= 400)
		core_error(code == 404 ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot download %s: the server answered HTTP %ld."), url, code);
	else if (to)
		core_error(CORE_ERR_FAILED, _("Cannot download %s: it redirects to %s, refused (redirects are followed to http and https only, and from https to https only)."),
			   url, to);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION)
		core_error(CORE_ERR_FAILED, _("Cannot download %s: the server's certificate cannot be verified (%s). For a server whose certificate comes from a private authority, set CURL_CA_BUNDLE to a file with that authority's certificate."),
			   url, curl_reason(rc, errbuf));
	else if (rc == CURLE_SSL_CACERT_BADFILE)
		core_error(CORE_ERR_FAILED, _("Cannot download %s: cannot read the certificate authorities in %s (CURL_CA_BUNDLE)."),
			   url, g_getenv("CURL_CA_BUNDLE"));
	else
		core_error(CORE_ERR_FAILED, _("Cannot download %s: %s"), url, curl_reason(rc, errbuf));
}

/* The validator kept for the partial download (see above) in @vpath;
 * caller frees, NULL if none. */
static char *read_validator(const char *vpath)
{
	char *v = NULL;

	if (!g_file_get_contents(vpath, &v, NULL, NULL))
		return NULL;
	if (!*v || strpbrk(v, "\r\n")) {
		g_free(v);
		return NULL;
	}
	return v;
}

/* The whole length a 416 answer on @c tells ("bytes *" "/LENGTH"), or -1. */
static gint64 unsatisfied_length(CURL *c)
{
	const char *range = header(c, "Content-Range");
	gint64 len = -1;

	if (!range || sscanf(range, "bytes */%" SCNd64, &len) != 1)
		return -1;
	return len;
}

static void handle_free(CURL **c)
{
	if (*c)
		curl_easy_cleanup(*c);
}

int fetch_to_file(const char *url, const char *path, struct job *job,
		  double p0, double p1)
{
	g_autofree char *vpath = g_strconcat(path, ".validator", NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	char errbuf[CURL_ERROR_SIZE];
	bool restarted = false;

	curl_init_once();
	for (int attempt = 1;; attempt++) {
		struct sink s = { .job = job, .p0 = p0, .p1 = p1, .vpath = vpath,
				  .dir = dir, .url = url, .restarted = restarted };
		g_autofree char *validator = NULL, *range = NULL, *if_range = NULL;
		struct curl_slist *headers = NULL;
		__attribute__((cleanup(handle_free))) CURL *c = NULL;
		bool complete;
		struct stat st;
		CURLcode rc;
		long code = 0;

		s.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s.fd < 0 || fstat(s.fd, &st) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write the download of %s to %s: %s"),
				   url, path, g_strerror(errno));
			if (s.fd >= 0)
				close(s.fd);
			return -1;
		}
		s.offset = st.st_size;
		validator = read_validator(vpath);
		/* a part from another run, of a version nobody can tell:
		 * resuming might join two versions */
		if (s.offset > 0 && !validator && attempt == 1) {
			if (ftruncate(s.fd, 0) < 0) {
				core_error(CORE_ERR_FAILED, _("Cannot write the download of %s to %s: %s"),
					   url, path, g_strerror(errno));
				close(s.fd);
				return -1;
			}
			s.offset = 0;
		}
		c = new_handle(url, &s, errbuf);
		if (!c) {
			close(s.fd);
			core_error(CORE_ERR_FAILED, _("Cannot start a download (libcurl)."));
			return -1;
		}
		if (s.offset > 0) {
			range = g_strdup_printf("%" PRId64 "-", (gint64)s.offset);
			curl_easy_setopt(c, CURLOPT_RANGE, range);
		}
		if (s.offset > 0 && validator) {
			if_range = g_strdup_printf("If-Range: %s", validator);
			headers = curl_slist_append(NULL, if_range);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		}
		rc = curl_easy_perform(c);
		curl_slist_free_all(headers);
		/* an empty body has no first block for on_data to check */
		if (rc == CURLE_OK && !s.started && !on_answer(&s))
			rc = CURLE_WRITE_ERROR;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		/* asked for the rest of the same version, which is empty:
		 * the file is already whole */
		complete = rc == CURLE_OK ||
			   (code == 416 && validator && unsatisfied_length(c) == s.offset);
		if (close(s.fd) < 0 && complete) {
			s.write_errno = errno;
			rc = CURLE_WRITE_ERROR;
			complete = false;
		}
		if (complete) {
			unlink(vpath);
			return 0;
		}
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			core_error(CORE_ERR_CANCELLED, _("Download of %s cancelled; the %" PRId64 " bytes received are kept, and importing it again resumes."),
				   url, (gint64)(s.offset + s.received));
			return -1;
		}
		if (rc == CURLE_WRITE_ERROR && s.no_room) {
			/* the space check's error stands; what came only
			 * takes space */
			unlink(path);
			unlink(vpath);
			return -1;
		}
		if (rc == CURLE_WRITE_ERROR && s.write_errno) {
			/* nothing more fits: the partial file only takes space */
			unlink(path);
			unlink(vpath);
			core_error(CORE_ERR_FAILED, _("Cannot write the download of %s: %s"),
				   url, g_strerror(s.write_errno));
			return -1;
		}
		/* the server cannot send the rest (a 416: the part kept is of
		 * another version; or a 206 of another part): start again
		 * from the beginning, once */
		if (s.offset > 0 && !restarted && (code == 416 || s.bad_range)) {
			restarted = true;
			unlink(vpath);
			if (truncate(path, 0) < 0) {
				core_error(CORE_ERR_FAILED, _("Cannot write the download of %s to %s: %s"),
					   url, path, g_strerror(errno));
				return -1;
			}
			continue;
		}
		restarted |= s.restarted;
		if (cut_off(rc) && s.received > 0 && attempt < MAX_TRIES)
			continue; /* it got further: resume at once */
		if (cut_off(rc) && s.offset + s.received > 0) {
			core_error(CORE_ERR_FAILED, _("Download of %s was interrupted after %" PRId64 " bytes (%s); they are kept, and importing it again resumes."),
				   url, (gint64)(s.offset + s.received), curl_reason(rc, errbuf));
			return -1;
		}
		if (s.offset == 0 && s.received == 0) {
			unlink(path);
			unlink(vpath);
		}
		if (s.bad_range)
			core_error(CORE_ERR_FAILED, _("Cannot download %s: the server sent another part of it than the one asked for."),
				   url);
		else
			report(url, c, rc, errbuf);
		return -1;
	}
}

char *fetch_to_memory(const char *url, size_t max)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink s = { .fd = -1, .max = max };
	__attribute__((cleanup(handle_free))) CURL *c = NULL;
	CURLcode rc;

	curl_init_once();
	s.mem = g_string_new(NULL);
	c = new_handle(url, &s, errbuf);
	if (!c) {
		g_string_free(s.mem, TRUE);
		core_error(CORE_ERR_FAILED, _("Cannot start a download (libcurl)."));
		return NULL;
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		return g_string_free(s.mem, FALSE);
	g_string_free(s.mem, TRUE);
	if (rc == CURLE_WRITE_ERROR)
		core_error(CORE_ERR_FAILED, _("%s is larger than %zu KiB: refused."), url, max >> 10);
	else
		report(url, c, rc, errbuf);
	return NULL;
}
