/* Embed the Bee mock in a test process and ask it for the assistants
 * through the Bee client. usage: embed_bee FIXTURES_DIR/bee */
#include <stdio.h>

#include <mockkit/bee.h>
#include <mockkit/mock.h>

int main(int argc, char **argv)
{
    const char *paths[] = {argc > 1 ? argv[1] : "fixtures/bee"};
    mk_mock_options o;
    mk_mock_options_init(&o);
    o.service = "bee";
    o.speed = 0;  /* no recorded delays; or a virtual clock: o.clock */
    mk_mock *m = NULL;
    mk_diag d;
    if (mk_mock_new(&o, paths, 1, &m, &d) != MK_MOCK_OK) {
        char msg[1024];
        fprintf(stderr, "%s\n", mk_diag_format(&d, msg, sizeof(msg)));  /* file, pointer, what */
        return 1;
    }

    char url[256];
    snprintf(url, sizeof(url), "%s%s", mk_mock_url(m), mk_mock_base_path(m));
    mk_bee *bee = mk_bee_new(url, "sk-proj-testkey");
    cJSON *list = NULL;
    mkc_error err = {0};
    int rc = mk_bee_assistant_list(bee, NULL, &list, &err);
    if (rc == MKC_OK)
        printf("%d assistants at %s\n", cJSON_GetArraySize(cJSON_GetObjectItem(list, "data")), url);
    else
        fprintf(stderr, "%s\n", err.message);

    cJSON_Delete(list);
    mkc_error_clear(&err);
    mk_bee_free(bee);
    mk_mock_free(m);
    return rc == MKC_OK ? 0 : 1;
}
