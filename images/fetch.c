/*
 * fetch.c — downloading an image over http(s) with libcurl: into a file
 * in the store's staging folder, resuming a download that was cut off
 * (an HTTP Range request from the size already there), with progress and
 * cancel through the job, and never following a redirect to anything but
 * http(s).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "i18n.h"
#include "images-priv.h"

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
};

static void curl_init_once(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&done, 1);
	}
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
			     _("Downloading: %" PRId64 " of %" PRId64 " MiB"),
			     (gint64)(done >> 20), (gint64)(total >> 20));
	else
		job_progress(s->job, s->p0, _("Downloading: %" PRId64 " MiB"),
			     (gint64)(done >> 20));
	return 0;
}

/* A handle for @url with vmtui's limits: http(s) only, also on redirects,
 * errors for HTTP codes of 400 and more, no endless stall. */
static CURL *new_handle(const char *url, struct sink *s, char *errbuf)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
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

int fetch_to_file(const char *url, const char *path, struct job *job,
		  double p0, double p1)
{
	char errbuf[CURL_ERROR_SIZE];
	bool restarted = false;

	curl_init_once();
	for (int attempt = 1;; attempt++) {
		struct sink s = { .job = job, .p0 = p0, .p1 = p1 };
		struct stat st;
		CURLcode rc;
		long code = 0;
		CURL *c;

		s.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s.fd < 0 || fstat(s.fd, &st) < 0) {
			core_error(CORE_ERR_FAILED, _("Cannot write the download of %s to %s: %s"),
				   url, path, g_strerror(errno));
			if (s.fd >= 0)
				close(s.fd);
			return -1;
		}
		s.offset = st.st_size;
		c = new_handle(url, &s, errbuf);
		if (!c) {
			close(s.fd);
			core_error(CORE_ERR_FAILED, _("Cannot start a download (libcurl)."));
			return -1;
		}
		if (s.offset > 0)
			curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, s.offset);
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(c);
		if (close(s.fd) < 0 && rc == CURLE_OK) {
			s.write_errno = errno;
			rc = CURLE_WRITE_ERROR;
		}
		if (rc == CURLE_OK)
			return 0;
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			core_error(CORE_ERR_CANCELLED, _("Download of %s cancelled; the %" PRId64 " bytes received are kept, and importing it again resumes."),
				   url, (gint64)(s.offset + s.received));
			return -1;
		}
		if (rc == CURLE_WRITE_ERROR && s.write_errno) {
			/* nothing more fits: the partial file only takes space */
			unlink(path);
			core_error(CORE_ERR_FAILED, _("Cannot write the download of %s: %s"),
				   url, g_strerror(s.write_errno));
			return -1;
		}
		/* the server cannot resume (416, or a 200 instead of 206):
		 * start again from the beginning, once */
		if (s.offset > 0 && !restarted &&
		    (rc == CURLE_RANGE_ERROR || code == 416)) {
			restarted = true;
			if (truncate(path, 0) < 0) {
				core_error(CORE_ERR_FAILED, _("Cannot write the download of %s to %s: %s"),
					   url, path, g_strerror(errno));
				return -1;
			}
			continue;
		}
		if (cut_off(rc) && s.received > 0 && attempt < MAX_TRIES)
			continue; /* it got further: resume at once */
		if (cut_off(rc) && s.offset + s.received > 0) {
			core_error(CORE_ERR_FAILED, _("Download of %s was interrupted after %" PRId64 " bytes (%s); they are kept, and importing it again resumes."),
				   url, (gint64)(s.offset + s.received), curl_reason(rc, errbuf));
			return -1;
		}
		if (st.st_size == 0 && s.received == 0)
			unlink(path);
		if (code >= 400)
			core_error(code == 404 ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
				   _("Cannot download %s: the server answered HTTP %ld."), url, code);
		else
			core_error(CORE_ERR_FAILED, _("Cannot download %s: %s"), url,
				   curl_reason(rc, errbuf));
		return -1;
	}
}

char *fetch_to_memory(const char *url, size_t max)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink s = { .fd = -1, .max = max };
	CURLcode rc;
	long code = 0;
	CURL *c;

	curl_init_once();
	s.mem = g_string_new(NULL);
	c = new_handle(url, &s, errbuf);
	if (!c) {
		g_string_free(s.mem, TRUE);
		core_error(CORE_ERR_FAILED, _("Cannot start a download (libcurl)."));
		return NULL;
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return g_string_free(s.mem, FALSE);
	g_string_free(s.mem, TRUE);
	if (rc == CURLE_WRITE_ERROR)
		core_error(CORE_ERR_FAILED, _("%s is larger than %zu KiB: refused."), url, max >> 10);
	else if (code >= 400)
		core_error(code == 404 ? CORE_ERR_NOT_FOUND : CORE_ERR_FAILED,
			   _("Cannot download %s: the server answered HTTP %ld."), url, code);
	else
		core_error(CORE_ERR_FAILED, _("Cannot download %s: %s"), url, curl_reason(rc, errbuf));
	return NULL;
}
