// A C++ user of the C libraries: the calls link only if the headers give
// them C linkage, and the SSE stop flag takes a std::atomic<int>.
#include <atomic>
#include <cstdio>
#include <cstring>

#include "mockkit/bee.h"
#include "mockkit/cairos.h"
#include "mockkit/cassette.h"
#include "mockkit/client.h"
#include "mockkit/mock.h"
#include "mockkit/openai.h"
#include "mockkit/pieces.h"

namespace {

int failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "cxx-headers: %s\n", what);
        failures++;
    }
}

struct seen {
    int events;
    char data[32];
};

extern "C" int on_event(void *user, const mkc_sse_event *ev)
{
    seen *s = static_cast<seen *>(user);
    s->events++;
    std::snprintf(s->data, sizeof(s->data), "%.*s", static_cast<int>(ev->data_len), ev->data);
    return 0;
}

}  // namespace

int main()
{
    std::atomic<int> stop(0);
    mkc_sse_options o;
    std::memset(&o, 0, sizeof(o));
    o.stop = &stop;
    check(o.stop->load() == 0, "the stop flag is not a std::atomic<int>");

    seen s = {0, {0}};
    mkc_sse_parser *p = mkc_sse_parser_new(on_event, nullptr, &s);
    check(p != nullptr, "mkc_sse_parser_new failed");
    if (p) {
        const char stream[] = "data: from C++\n\n";
        check(mkc_sse_parser_feed(p, stream, sizeof(stream) - 1) == MKC_OK, "feed failed");
        mkc_sse_parser_free(p);
    }
    check(s.events == 1 && std::strcmp(s.data, "from C++") == 0, "the event did not arrive");

    mk_mock_options mo;
    mk_mock_options_init(&mo);
    check(mo.speed == 1.0, "mk_mock_options_init did not set speed 1");
    check(std::strcmp(mkc_errname(MKC_ECONNECT), "MKC_ECONNECT") == 0, "mkc_errname");
    return failures == 0 ? 0 : 1;
}
