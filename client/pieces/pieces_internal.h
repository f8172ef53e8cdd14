/* pieces_internal.h: what pieces.c (REST) and pieces_ws.c (sockets) share. */
#ifndef MOCKKIT_PIECES_INTERNAL_H
#define MOCKKIT_PIECES_INTERNAL_H

#include <pthread.h>

#include "mockkit/pieces.h"

struct mk_pieces {
    char *base_url;          /* no trailing slash */
    long timeout_ms;
    pthread_mutex_t http_mu; /* guards http (one curl handle, not thread-safe) */
    mkc_http *http;
    char *app_id;            /* from /connect, guarded by http_mu */
    cJSON *application;      /* the Application from /connect, guarded by http_mu */
    pthread_mutex_t reg_mu;  /* guards the socket list */
    mk_pieces_ws *sockets;
};

/* GET path on h (base_url names the service in errors) and parse an
 * application/json body. app_id (may be NULL) is sent as the
 * "application" header. */
int mk_pieces__get_json_on(mkc_http *h, const char *base_url, const char *path,
                           const char *app_id, cJSON **out, mkc_error *err);

/* Unlink ws from p's list (p->reg_mu taken inside). */
void mk_pieces__unregister(mk_pieces *p, mk_pieces_ws *ws);

#endif
