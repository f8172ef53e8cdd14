/* ws.c: websocket replay (placeholder until step 3). */
#include "mock_internal.h"

int mk__ws_connect(const struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
    return 1;
}

void mk__ws_ready(struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
}

int mk__ws_data(struct mg_connection *conn, int opcode, char *data, size_t len, void *cbdata)
{
    (void)conn;
    (void)opcode;
    (void)data;
    (void)len;
    (void)cbdata;
    return 0;
}

void mk__ws_close(const struct mg_connection *conn, void *cbdata)
{
    (void)conn;
    (void)cbdata;
}

void mk__ws_stop_all(struct mk_mock *m)
{
    (void)m;
}
