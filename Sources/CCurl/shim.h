// Typed wrappers over libcurl's variadic calls, which Swift cannot call directly.
#ifndef FEEDWATCH_CCURL_SHIM_H
#define FEEDWATCH_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_write_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}
static inline CURLcode ccurl_easy_setopt_header_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}
static inline CURLcode ccurl_easy_setopt_read_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb);
}
static inline CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// libcurl's socket interface over epoll: libcurl says which sockets it waits on and when its next
// timeout falls; epoll reports only the sockets that are ready. (curl_multi_poll instead polls
// every transfer's socket at each wait, and the loop waits several times a transfer.)
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    CURLM *multi;
    int epoll;
    int wake_fd;
    /// CLOCK_MONOTONIC nanoseconds at which libcurl wants CURL_SOCKET_TIMEOUT; -1 for never.
    int64_t deadline_ns;
} ccurl_events;

static inline int64_t ccurl_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int ccurl_socket_callback(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    (void)easy;
    ccurl_events *events = (ccurl_events *)userp;
    if (what == CURL_POLL_REMOVE) {
        // A connection kept for reuse stays open: it must leave the set (a closed one already has).
        epoll_ctl(events->epoll, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    event.data.fd = fd;
    // socketp marks a socket already in the set (libcurl forgets it at CURL_POLL_REMOVE).
    if (socketp != NULL || (epoll_ctl(events->epoll, EPOLL_CTL_ADD, fd, &event) != 0 && errno == EEXIST)) {
        epoll_ctl(events->epoll, EPOLL_CTL_MOD, fd, &event);
    }
    if (socketp == NULL) curl_multi_assign(events->multi, fd, (void *)1);
    return 0;
}

static int ccurl_timer_callback(CURLM *multi, long timeout_ms, void *userp) {
    (void)multi;
    ccurl_events *events = (ccurl_events *)userp;
    events->deadline_ns = timeout_ms < 0 ? -1 : ccurl_now_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

/// The descriptor another thread writes to interrupt the wait: a non-blocking eventfd.
static inline int ccurl_wake_fd_create(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/// Interrupts `ccurl_events_wait` from any thread.
static inline void ccurl_wake(int wake_fd) { (void)eventfd_write(wake_fd, 1); }

static inline int ccurl_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/// Sets up `events` (an epoll set with `wake_fd` in it) and makes `multi` report to it.
static inline int ccurl_events_start(ccurl_events *events, CURLM *multi, int epoll, int wake_fd) {
    events->multi = multi;
    events->epoll = epoll;
    events->wake_fd = wake_fd;
    events->deadline_ns = -1;
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN;
    event.data.fd = wake_fd;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, wake_fd, &event) != 0) return -1;
    if (curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, ccurl_socket_callback) != CURLM_OK) return -1;
    if (curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, events) != CURLM_OK) return -1;
    if (curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, ccurl_timer_callback) != CURLM_OK) return -1;
    if (curl_multi_setopt(multi, CURLMOPT_TIMERDATA, events) != CURLM_OK) return -1;
    return 0;
}

/// Runs libcurl's timeout if it is due.
static inline void ccurl_events_run_timeout(ccurl_events *events) {
    if (events->deadline_ns < 0 || ccurl_now_ns() < events->deadline_ns) return;
    events->deadline_ns = -1;
    int running = 0;
    curl_multi_socket_action(events->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/// Waits up to `max_wait_ms` (less when libcurl's timeout falls earlier) for a ready socket or a
/// wake-up, and lets libcurl act on every ready socket and on its timeout.
static inline void ccurl_events_wait(ccurl_events *events, int max_wait_ms) {
    int timeout = max_wait_ms;
    if (events->deadline_ns >= 0) {
        int64_t left = (events->deadline_ns - ccurl_now_ns() + 999999) / 1000000;
        if (left < 0) left = 0;
        if (left < timeout) timeout = (int)left;
    }
    struct epoll_event ready[64];
    int count = epoll_wait(events->epoll, ready, 64, timeout);
    int running = 0;
    for (int i = 0; i < count; i++) {
        int fd = ready[i].data.fd;
        if (fd == events->wake_fd) {
            uint64_t value;
            (void)read(fd, &value, sizeof value);  // an eventfd: one read resets it
            continue;
        }
        uint32_t what = ready[i].events;
        int mask = ((what & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((what & EPOLLOUT) ? CURL_CSELECT_OUT : 0)
            | ((what & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(events->multi, fd, mask, &running);
    }
    ccurl_events_run_timeout(events);
}
#endif
