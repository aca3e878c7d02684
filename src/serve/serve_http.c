#include "serve_http.h"

#include "buf.h"
#include "sse.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

struct serve_server {
    const serve_plan *plan;
    struct MHD_Daemon *d;
    FILE *log, *summary;
    pthread_mutex_t mu;
    size_t cur; /* plan index */
    int used;   /* requests the current plan entry has answered */
    size_t seq; /* requests seen */
    size_t served;
    atomic_bool stopping;
    struct timespec start;
    int port;
};

/* Per request: the body as it arrives. */
typedef struct {
    buf body;
} req_ctx;

/* A streamed answer being sent. */
typedef struct {
    serve_server *srv;
    sse_stream st;
    size_t i, off;
    serve_cut cut;
    bool hang;
    int64_t hang_ms;
    int fd;
} stream_ctx;

static int64_t since_start_ms(const serve_server *s) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - s->start.tv_sec) * 1000 +
           (now.tv_nsec - s->start.tv_nsec) / 1000000;
}

/* Sleeps up to ms, waking early when the server stops; false if it stopped. */
static bool nap(serve_server *s, int64_t ms) {
    while (ms > 0 && !atomic_load(&s->stopping)) {
        int64_t step = ms < 50 ? ms : 50;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !atomic_load(&s->stopping);
}

/* RST instead of FIN, as a dropped connection looks to the client. */
static void hard_close(int fd) {
    if (fd < 0) return;
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max) {
    (void)pos;
    stream_ctx *c = cls;
    if (c->hang) {
        nap(c->srv, c->hang_ms);
        hard_close(c->fd);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    while (c->i < c->st.n) {
        const sse_chunk *ch = &c->st.v[c->i];
        if (ch->len == 0) {
            c->i++;
            if (!nap(c->srv, ch->sleep_ms)) return MHD_CONTENT_READER_END_WITH_ERROR;
            continue;
        }
        size_t n = ch->len - c->off;
        if (n > max) n = max;
        memcpy(out, c->st.bytes.data + ch->off + c->off, n);
        c->off += n;
        if (c->off == ch->len) c->i++, c->off = 0;
        return (ssize_t)n;
    }
    if (c->cut == CUT_ABORT) {
        hard_close(c->fd);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static void free_stream(void *cls) {
    stream_ctx *c = cls;
    sse_stream_free(&c->st);
    free(c);
}

/* The next answer from the plan (NULL: the plan is used up); *index its position. */
static const serve_response *next_response(serve_server *s, size_t *index) {
    const serve_plan *p = s->plan;
    if (s->cur >= p->n) return NULL;
    const serve_response *r = &p->v[s->cur];
    *index = s->cur;
    if (r->repeat >= 0 && ++s->used >= r->repeat) s->cur++, s->used = 0;
    return r;
}

static void describe_body(const buf *body, cJSON *rec, char **model) {
    *model = NULL;
    cJSON *j = body->len ? cJSON_ParseWithLength(body->data, body->len) : NULL;
    if (!j) return;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "model");
    if (cJSON_IsString(m)) {
        cJSON_AddStringToObject(rec, "model", m->valuestring);
        *model = xstrdup(m->valuestring);
    }
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "input");
    if (cJSON_IsArray(in)) {
        cJSON_AddNumberToObject(rec, "input_items", cJSON_GetArraySize(in));
        /* the last input item's kind: a user message, or the output of a tool call */
        const cJSON *last = cJSON_GetArrayItem(in, cJSON_GetArraySize(in) - 1);
        const cJSON *t = last ? cJSON_GetObjectItemCaseSensitive(last, "type") : NULL;
        if (cJSON_IsString(t)) cJSON_AddStringToObject(rec, "last_input", t->valuestring);
    }
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(j, "tools");
    if (cJSON_IsArray(tools)) cJSON_AddNumberToObject(rec, "tools", cJSON_GetArraySize(tools));
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "stream");
    if (cJSON_IsBool(st)) cJSON_AddBoolToObject(rec, "stream", cJSON_IsTrue(st));
    cJSON_Delete(j);
}

static void log_request(serve_server *s, cJSON *rec) {
    char *line = cJSON_PrintUnformatted(rec);
    if (s->log) {
        fprintf(s->log, "%s\n", line);
        fflush(s->log);
    }
    if (s->summary) {
        fprintf(s->summary, "codex-mock serve: %s\n", line);
        fflush(s->summary);
    }
    free(line);
}

static enum MHD_Result send_simple(struct MHD_Connection *c, int status, const char *ctype,
                                   const char *body, size_t len, const serve_response *r,
                                   const char *request_id) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "content-type", ctype);
    bool has_rid = false;
    for (size_t i = 0; r && i < r->n_headers; i++) {
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        if (!strcasecmp(r->headers[i].name, "x-request-id")) has_rid = true;
    }
    /* scripted errors carry their own (serve_plan); the server's own errors get one here */
    if (!has_rid && !r && request_id) MHD_add_response_header(resp, "x-request-id", request_id);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result answer_stream(serve_server *s, struct MHD_Connection *c,
                                     const serve_response *r, size_t seq, const char *model) {
    stream_ctx *sc = xcalloc(1, sizeof *sc);
    sc->srv = s;
    sc->fd = -1;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) sc->fd = ci->connect_fd;
    if (r->kind == RESP_HANG) {
        sc->hang = true;
        sc->hang_ms = r->hang_ms;
    } else {
        char rid[48];
        snprintf(rid, sizeof rid, "resp_serve_%zu", seq);
        sse_render(r, rid, model ? model : s->plan->model, (int64_t)time(NULL), &sc->st);
        sc->cut = r->cut;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read_stream, sc, free_stream);
    MHD_add_response_header(resp, "content-type", "text/event-stream");
    MHD_add_response_header(resp, "cache-control", "no-cache");
    char reqid[48];
    snprintf(reqid, sizeof reqid, "req_serve_%zu", seq);
    bool has_rid = false;
    for (size_t i = 0; i < r->n_headers; i++) {
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        if (!strcasecmp(r->headers[i].name, "x-request-id")) has_rid = true;
    }
    if (!has_rid) MHD_add_response_header(resp, "x-request-id", reqid);
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

static const char *const KIND_NAMES[] = {"sse", "http", "close", "hang"};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
    (void)version;
    serve_server *s = cls;
    req_ctx *rc = *con_cls;
    if (!rc) {
        rc = xcalloc(1, sizeof *rc);
        buf_init(&rc->body);
        *con_cls = rc;
        return MHD_YES;
    }
    if (*upload_size) {
        buf_append(&rc->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    cJSON *rec = cJSON_CreateObject();
    pthread_mutex_lock(&s->mu);
    size_t seq = ++s->seq;
    cJSON_AddNumberToObject(rec, "seq", (double)seq);
    cJSON_AddNumberToObject(rec, "t_ms", (double)since_start_ms(s));
    cJSON_AddStringToObject(rec, "method", method);
    cJSON_AddStringToObject(rec, "path", url);
    cJSON_AddNumberToObject(rec, "body_len", (double)rc->body.len);
    char *model = NULL;
    describe_body(&rc->body, rec, &model);

    size_t ulen = strlen(url);
    bool responses = !strcmp(method, "POST") && ulen >= 10 &&
                     !strcmp(url + ulen - (url[ulen - 1] == '/' ? 11 : 10),
                             url[ulen - 1] == '/' ? "/responses/" : "/responses");
    const serve_response *r = NULL;
    size_t index = 0;
    if (responses) {
        r = next_response(s, &index);
        if (r) s->served++;
    }
    char reqid[48];
    snprintf(reqid, sizeof reqid, "req_serve_%zu", seq);
    enum MHD_Result ok;
    if (!responses) {
        const char *up = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "upgrade");
        bool ws = up && !strcasecmp(up, "websocket");
        cJSON_AddStringToObject(rec, "answer", ws ? "404 websocket upgrade" : "404 no route");
        log_request(s, rec);
        pthread_mutex_unlock(&s->mu);
        buf b;
        buf_init(&b);
        if (ws)
            buf_puts(&b, "websocket transport not supported by codex-mock serve");
        else
            buf_printf(&b, "{\"error\":{\"message\":\"codex-mock serve: no route for %s %s\"}}",
                       method, url);
        ok = send_simple(c, 404, ws ? "text/plain; charset=utf-8" : "application/json", b.data,
                         b.len, NULL, reqid);
        buf_free(&b);
    } else if (!r) {
        cJSON_AddStringToObject(rec, "answer", "500 script exhausted");
        log_request(s, rec);
        pthread_mutex_unlock(&s->mu);
        static const char body[] = "{\"error\":{\"message\":\"codex-mock serve: script "
                                   "exhausted\",\"type\":\"server_error\"}}";
        ok = send_simple(c, 500, "application/json", body, sizeof body - 1, NULL, reqid);
    } else {
        char what[96];
        snprintf(what, sizeof what, "#%zu %s %d (turn %d, line %d)", index + 1, KIND_NAMES[r->kind],
                 r->kind == RESP_HTTP ? r->status : 200, r->turn + 1, r->line);
        cJSON_AddStringToObject(rec, "answer", what);
        log_request(s, rec);
        pthread_mutex_unlock(&s->mu);
        if (r->kind == RESP_HTTP)
            ok = send_simple(c, r->status, r->content_type ? r->content_type : "text/plain",
                             r->body ? r->body : "", r->body_len, r, reqid);
        else if (r->kind == RESP_CLOSE)
            ok = MHD_NO; /* libmicrohttpd closes the connection without an answer */
        else
            ok = answer_stream(s, c, r, seq, model);
    }
    free(model);
    cJSON_Delete(rec);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why) {
    (void)cls, (void)c, (void)why;
    req_ctx *rc = *con_cls;
    if (!rc) return;
    buf_free(&rc->body);
    free(rc);
    *con_cls = NULL;
}

int serve_start(const serve_options *o, serve_server **out, diag *err) {
    serve_server *s = xcalloc(1, sizeof *s);
    s->plan = o->plan;
    s->log = o->log;
    s->summary = o->summary;
    pthread_mutex_init(&s->mu, NULL);
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                            (uint16_t)o->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0, MHD_OPTION_END);
    if (!s->d) {
        diag_set(err, NULL, 0, 0, "cannot listen on 127.0.0.1:%d (is the port taken?)", o->port);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : o->port;
    *out = s;
    return 0;
}

int serve_port(const serve_server *s) {
    return s->port;
}

size_t serve_responses_served(serve_server *s) {
    pthread_mutex_lock(&s->mu);
    size_t n = s->served;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void serve_stop(serve_server *s) {
    if (!s) return;
    atomic_store(&s->stopping, true);
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
