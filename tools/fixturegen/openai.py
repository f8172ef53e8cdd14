#!/usr/bin/python3
"""Generate the shipped OpenAI Chat Completions cassettes (fixtures/openai).

Stdlib only. Run from anywhere:  /usr/bin/python3 tools/fixturegen/openai.py
It rewrites fixtures/openai/chat-*.json deterministically (same bytes every run).

The sessions are synthesized, not recorded: the chunk shapes follow the
recorded OpenAI captures kept as inline snapshots in openai/openai-python
(v1.55.0 .inline-snapshot/external/*.bin, quoted in the shared protocol notes)
and the openai/openai-openapi spec (ChatCompletionChunk,
ChatCompletionStreamResponseDelta, ChatCompletionStreamOptions). The questions
are the ones the gptchat README uses ("Hello, how are you?", get_stock_price).

Follow-up turns (matching compares `messages` element-wise with equal length,
so a longer conversation is another request and needs its own interaction):
the tool-result turn a tool-call handler sends (assistant tool_calls + a
`tool` message), the deprecated `function` result turn, and a conversation
pre-seeded with gptchat's set_config(messages) example plus a new question.
Their matches name the roles (and the user text, the function name) but not
the call ids or the result text a handler computes.

Matching: streamed and non-streamed versions of one question differ only in
the body, so every interaction carries a small `match.json` (the question,
the tool or function name, and `stream` / `stream_options` when set). The
engine picks the most specific passing interaction, so a plain stream
request never gets the include_usage variant and vice versa.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures", "openai"))

REFS_COMMON = [
    "openai/openai-openapi@f85dbe2 openapi.yaml (CreateChatCompletionRequest, "
    "CreateChatCompletionResponse, CreateChatCompletionStreamResponse)",
    "openai/openai-node@v4.73.0 src/lib/ChatCompletionStream.ts",
]
REF_TEXT = ("openai/openai-python@v1.55.0 .inline-snapshot/external/"
            "e2aad469b71d1d4894ff833ea147020a9d875eb7ce644a0ff355581690a4cbfd.bin")
REF_TOOL = ("openai/openai-python@v1.55.0 .inline-snapshot/external/"
            "2018feb66ae13fcf5333d61b95849decc68d3f63bd38172889367e1afb1e04f7.bin")
REF_PARALLEL = ("openai/openai-python@v1.55.0 .inline-snapshot/external/"
                "f82268f2fefd5cfbc7eeb59c297688be2f6ca0849a6e4f17851b517310841d9b.bin")
REF_GPTCHAT = "ryayoung/gptchat README.md (Getting Started, concat_stream)"
REF_GPTCHAT_CONFIG = "ryayoung/gptchat README.md (set_config messages, functions)"
REF_FOLLOWUP = ("openai/openai-openapi@f85dbe2 openapi.yaml (ChatCompletionRequestToolMessage, "
                "ChatCompletionRequestFunctionMessage, ChatCompletionRequestAssistantMessage)")

HELLO = "Hello, how are you?"
AAPL = "What is the stock price of AAPL?"
PARALLEL = "What are the stock prices of AAPL and MSFT?"
HAIKU = "Write a haiku about the sea."

STOCK_PARAMS = {
    "type": "object",
    "properties": {"symbol": {"type": "string", "description": "The stock ticker symbol, e.g. AAPL"}},
    "required": ["symbol"],
}
STOCK_TOOL = {
    "type": "function",
    "function": {
        "name": "get_stock_price",
        "description": "Get the current stock price for a ticker symbol",
        "parameters": STOCK_PARAMS,
    },
}
STOCK_FUNCTION = {
    "name": "get_stock_price",
    "description": "Get the current stock price for a ticker symbol",
    "parameters": STOCK_PARAMS,
}

HELLO_REPLY = ("I'm just a computer program, so I don't have feelings, but I'm here "
               "and ready to help you. How can I assist you today?")
HELLO_TOKENS = ["I'm", " just", " a", " computer", " program", ",", " so", " I", " don't",
                " have", " feelings", ",", " but", " I'm", " here", " and", " ready", " to",
                " help", " you", ".", " How", " can", " I", " assist", " you", " today", "?"]
assert "".join(HELLO_TOKENS) == HELLO_REPLY

HAIKU_TOKENS = ["Wa", "ves", " fold", " into", " foam", ",\n", "salt"]

# gptchat set_config({"messages": [...]}) example, then the user's next turn.
SEEDED = [{"role": "user", "content": "Hello, how are you?"},
          {"role": "assistant", "content": "I'm doing great, how can I help you today?"}]
HAIKU_FULL = ["Wa", "ves", " fold", " into", " foam", ",\n", "salt", " wind", " carries",
              " gull", " voices", ",\n", "the", " tide", " keeps", " its", " time", "."]
HAIKU_REPLY = "".join(HAIKU_FULL)
STOCK_RESULT = '{"symbol": "AAPL", "price": 189.84, "currency": "USD"}'
STOCK_TOKENS = ["Apple", " (", "AAPL", ")", " is", " trading", " at", " $", "189", ".", "84",
                " per", " share", "."]
STOCK_REPLY = "".join(STOCK_TOKENS)


def usage(prompt, completion, details=True):
    u = {"prompt_tokens": prompt, "completion_tokens": completion,
         "total_tokens": prompt + completion}
    if details:
        u["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        u["completion_tokens_details"] = {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0}
    return u


def req_headers():
    # What the SDKs send that a recording would keep (User-Agent and
    # X-Stainless-* are dropped: they differ per client and are never matched).
    return {"content-type": "application/json", "accept": "application/json",
            "authorization": "Bearer <REDACTED:api_key>"}


def json_headers(req_id, ms):
    return {"content-type": "application/json",
            "access-control-expose-headers": "X-Request-ID",
            "openai-processing-ms": str(ms),
            "openai-version": "2020-10-01",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-limit-tokens": "300000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "299975",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "5ms",
            "x-request-id": req_id}


def sse_headers(req_id, ms):
    h = json_headers(req_id, ms)
    h["content-type"] = "text/event-stream; charset=utf-8"
    h["cache-control"] = "no-cache, must-revalidate"
    return h


class Chunks:
    """Builds the SSE chunks of one stream: one `data:` event per chunk."""

    def __init__(self, cid, created, model, fingerprint, start_ms, step_ms, usage_null=False):
        self.base = {"id": cid, "object": "chat.completion.chunk", "created": created,
                     "model": model, "system_fingerprint": fingerprint}
        self.at = start_ms
        self.step = step_ms
        self.usage_null = usage_null
        self.out = []

    def _emit(self, obj):
        text = "data: " + json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n\n"
        self.out.append({"at_ms": self.at, "text": text})
        self.at += self.step

    def delta(self, delta, finish=None):
        obj = dict(self.base)
        obj["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        if self.usage_null:
            obj["usage"] = None
        self._emit(obj)

    def usage(self, u):
        obj = dict(self.base)
        obj["choices"] = []
        obj["usage"] = u
        self._emit(obj)

    def raw(self, obj):
        self._emit(obj)

    def done(self):
        self.out.append({"at_ms": self.at, "text": "data: [DONE]\n\n"})
        self.at += self.step


def completion(cid, created, model, fingerprint, message, finish, u):
    msg = {"role": "assistant"}
    msg.update(message)
    msg.setdefault("refusal", None)
    return {"id": cid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": msg, "logprobs": None, "finish_reason": finish}],
            "usage": u, "system_fingerprint": fingerprint}


def interaction(ix_id, at, body, match, status, resp_at, headers, note, body_json=None, chunks=None):
    ix = {"id": ix_id, "at_ms": at,
          "request": {"method": "POST", "path": "/v1/chat/completions",
                      "headers": req_headers(), "json": body},
          "match": {"json": match}}
    resp = {"status": status, "at_ms": resp_at, "headers": headers}
    if chunks is not None:
        resp["chunks"] = chunks
    else:
        resp["json"] = body_json
    ix["response"] = resp
    ix["note"] = note
    return ix


def user(q):
    return [{"role": "user", "content": q}]


def cassette(name, description, refs, interactions):
    return {"mockkit_cassette": 1,
            "meta": {"service": "openai", "name": name, "description": description,
                     "created": "2024-11-21T10:00:00Z",
                     "source": {"kind": "synthesized", "refs": refs + REFS_COMMON},
                     "redactions": ["header:authorization"]},
            "interactions": interactions}


def hello_session():
    ixs = []
    # Non-stream.
    cid = "chatcmpl-AW3kD9xQbV1mZc4eYtLp2RfN7sHu0"
    ixs.append(interaction(
        "hello", 0, {"model": "gpt-4", "messages": user(HELLO)},
        {"messages": user(HELLO)}, 200, 812, json_headers("req_5c1d8e0a3f2b47a9b6e4d7c2a1f0e9b8", 788),
        "gptchat Getting Started: chat.completions.create(messages, model='gpt-4')",
        body_json=completion(cid, 1732183200, "gpt-4-0613", None,
                             {"content": HELLO_REPLY}, "stop", usage(13, 28))))
    # Stream: role + "" first, then text deltas, finish stop, [DONE].
    cid = "chatcmpl-AW3kF2nR8tYp5LmQ0vXc6BzW1dJa9"
    c = Chunks(cid, 1732183202, "gpt-4-0613", None, 2400, 35)
    c.delta({"role": "assistant", "content": "", "refusal": None})
    for t in HELLO_TOKENS:
        c.delta({"content": t})
    c.delta({}, "stop")
    c.done()
    ixs.append(interaction(
        "hello-stream", 2000, {"model": "gpt-4", "messages": user(HELLO), "stream": True},
        {"stream": True, "messages": user(HELLO)}, 200, 2390,
        sse_headers("req_9a7b3c1e5d2f4a6b8c0d1e2f3a4b5c6d", 201),
        "gptchat openai_chat_stream(): stream=True", chunks=c.out))
    # Stream with stream_options.include_usage: usage:null on every chunk,
    # then one chunk with choices:[] and the usage before [DONE].
    cid = "chatcmpl-AW3kH7pV2cXe9RtY4uJm1NqL8wKs3"
    c = Chunks(cid, 1732183205, "gpt-4-0613", None, 5400, 35, usage_null=True)
    c.delta({"role": "assistant", "content": "", "refusal": None})
    for t in HELLO_TOKENS:
        c.delta({"content": t})
    c.delta({}, "stop")
    c.usage(usage(13, 28))
    c.done()
    ixs.append(interaction(
        "hello-stream-usage", 5000,
        {"model": "gpt-4", "messages": user(HELLO), "stream": True,
         "stream_options": {"include_usage": True}},
        {"stream": True, "stream_options": {"include_usage": True}, "messages": user(HELLO)},
        200, 5390, sse_headers("req_1e2d3c4b5a69788796a5b4c3d2e1f0a9", 198),
        "stream_options.include_usage: a final chunk with choices:[] and usage", chunks=c.out))
    # A conversation pre-seeded with set_config(messages), then a new question.
    msgs = SEEDED + user(HAIKU)
    ixs += text_pair("seeded-haiku", 8000, {"model": "gpt-4", "messages": msgs},
                     {"messages": msgs}, HAIKU_FULL, "chatcmpl-AW3kJ4mN6pQ8rS0tU2vW4xY6zA8",
                     1732183208, 41,
                     "gptchat set_config(messages) pre-seeded conversation plus the user's "
                     "next question: three messages")
    return cassette("chat-hello", "Plain text chat: the gptchat README question, non-stream, "
                    "stream, and stream with include_usage; and a conversation pre-seeded with "
                    "set_config(messages) followed by a new question.",
                    [REF_TEXT, REF_GPTCHAT, REF_GPTCHAT_CONFIG], ixs)


def req_id(cid):
    """x-request-id: req_ and 32 hex digits, stable per completion id."""
    return "req_" + hashlib.md5(cid.encode()).hexdigest()


def text_pair(ix_id, at, body, match, tokens, cid, created, ptoks, note, stream_body=None):
    """A text answer to body, non-stream at `at` and stream (to stream_body,
    default body) at `at` + 2000."""
    out = []
    reply = "".join(tokens)
    out.append(interaction(
        ix_id, at, body, match, 200, at + 640, json_headers(req_id(cid), 610),
        note + " (non-stream)",
        body_json=completion(cid, created, "gpt-4-0613", None, {"content": reply}, "stop",
                             usage(ptoks, len(tokens)))))
    scid = cid[:-4] + "S" + cid[-3:]
    c = Chunks(scid, created + 2, "gpt-4-0613", None, at + 2390, 35)
    c.delta({"role": "assistant", "content": "", "refusal": None})
    for t in tokens:
        c.delta({"content": t})
    c.delta({}, "stop")
    c.done()
    sbody = dict(stream_body or body)
    sbody["stream"] = True
    smatch = dict(match)
    smatch["stream"] = True
    out.append(interaction(
        ix_id + "-stream", at + 2000, sbody, smatch, 200, at + 2380,
        sse_headers(req_id(scid), 190), note + " (stream)", chunks=c.out))
    return out


def tool_args_stream(c, index, call_id, name, fragments, first_delta_extra=None):
    first = {"index": index, "id": call_id, "type": "function",
             "function": {"name": name, "arguments": ""}}
    if first_delta_extra is not None:
        d = dict(first_delta_extra)
        d["tool_calls"] = [first]
        d["refusal"] = None
        c.delta(d)
    else:
        c.delta({"tool_calls": [first]})
    for frag in fragments:
        c.delta({"tool_calls": [{"index": index, "function": {"arguments": frag}}]})


def tools_session():
    ixs = []
    args = '{"symbol":"AAPL"}'
    # Split mid-token like the recorded capture ("{\"", "city", "\":\"", ...).
    frags = ['{"', "symbol", '":"', "AA", "PL", '"}']
    assert "".join(frags) == args
    cid = "chatcmpl-AW3m1aB2cD3eF4gH5iJ6kL7mN8oP9"
    ixs.append(interaction(
        "stock", 0, {"model": "gpt-4", "messages": user(AAPL), "tools": [STOCK_TOOL]},
        {"messages": user(AAPL), "tools": [{"function": {"name": "get_stock_price"}}]},
        200, 905, json_headers("req_2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e1b", 880),
        "tool call, non-stream: content null, tool_calls[0] with the whole arguments",
        body_json=completion(cid, 1732183300, "gpt-4-0613", None,
                             {"content": None, "tool_calls": [
                                 {"id": "call_Qm3vT8xLp2WcR6nY1bKd9sHf", "type": "function",
                                  "function": {"name": "get_stock_price", "arguments": args}}]},
                             "tool_calls", usage(62, 16))))
    cid = "chatcmpl-AW3m4qR5sT6uV7wX8yZ9aB0cD1eF2"
    c = Chunks(cid, 1732183303, "gpt-4-0613", None, 3500, 30)
    tool_args_stream(c, 0, "call_7GhJ2kLm9NpQ4rSt6VwX1yZa", "get_stock_price", frags,
                     first_delta_extra={"role": "assistant", "content": None})
    c.delta({}, "tool_calls")
    c.done()
    ixs.append(interaction(
        "stock-stream", 3000,
        {"model": "gpt-4", "messages": user(AAPL), "tools": [STOCK_TOOL], "stream": True},
        {"stream": True, "messages": user(AAPL), "tools": [{"function": {"name": "get_stock_price"}}]},
        200, 3480, sse_headers("req_3c5e7a9b1d3f5b7d9f1a3c5e7b9d1f3a", 455),
        "tool call stream: the first fragment has id/type/name and arguments \"\", "
        "later fragments only index + arguments", chunks=c.out))
    # The handler runs the tool and sends the result back: the assistant's
    # tool_calls message as received, then a `tool` message with its id.
    def result_turn(call_id):
        msgs = user(AAPL) + [
            {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
                {"id": call_id, "type": "function",
                 "function": {"name": "get_stock_price", "arguments": args}}]},
            {"role": "tool", "tool_call_id": call_id, "content": STOCK_RESULT}]
        return {"model": "gpt-4", "messages": msgs, "tools": [STOCK_TOOL]}
    match = {"messages": user(AAPL) + [{"role": "assistant"}, {"role": "tool"}],
             "tools": [{"function": {"name": "get_stock_price"}}]}
    ixs += text_pair("stock-result", 6000, result_turn("call_Qm3vT8xLp2WcR6nY1bKd9sHf"), match,
                     STOCK_TOKENS, "chatcmpl-AW3m7gH8iJ9kL0mN1oP2qR3sT4u", 1732183306, 98,
                     "the tool-result follow-up a tool-call handler sends",
                     stream_body=result_turn("call_7GhJ2kLm9NpQ4rSt6VwX1yZa"))
    return cassette("chat-tools", "A get_stock_price tool call for AAPL, non-stream and stream, "
                    "and the follow-up turn with the tool's result (non-stream and stream).",
                    [REF_TOOL, REF_GPTCHAT, REF_FOLLOWUP], ixs)


def parallel_session():
    ixs = []
    a0, a1 = '{"symbol": "AAPL"}', '{"symbol": "MSFT"}'
    f0 = ['{"sy', 'mbol', '": "AA', 'PL', '"}']
    f1 = ['{"sy', 'mbol', '": "MS', 'FT', '"}']
    assert "".join(f0) == a0 and "".join(f1) == a1
    fp = "fp_7f6be3efb0"
    ids = ("call_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8", "call_Qr9St0Uv1Wx2Yz3Ab4Cd5Ef6")
    body = {"model": "gpt-4o", "messages": user(PARALLEL), "tools": [STOCK_TOOL]}
    match = {"messages": user(PARALLEL), "tools": [{"function": {"name": "get_stock_price"}}]}
    cid = "chatcmpl-AW3p0kL1mN2oP3qR4sT5uV6wX7yZ8"
    ixs.append(interaction(
        "parallel", 0, body, match, 200, 1020, json_headers("req_4d6f8b0c2e4a6c8e0b2d4f6a8c0e2b4d", 995),
        "parallel tool calls, non-stream: two tool_calls",
        body_json=completion(cid, 1732183400, "gpt-4o-2024-08-06", fp,
                             {"content": None, "tool_calls": [
                                 {"id": ids[0], "type": "function",
                                  "function": {"name": "get_stock_price", "arguments": a0}},
                                 {"id": ids[1], "type": "function",
                                  "function": {"name": "get_stock_price", "arguments": a1}}]},
                             "tool_calls", usage(70, 49))))
    cid = "chatcmpl-AW3p3aZ4bY5cX6dW7eV8fU9gT0hS1"
    c = Chunks(cid, 1732183403, "gpt-4o-2024-08-06", fp, 3400, 25)
    # As in the recorded parallel capture: role alone first, then each call.
    c.delta({"role": "assistant", "content": None})
    tool_args_stream(c, 0, ids[0], "get_stock_price", f0)
    tool_args_stream(c, 1, ids[1], "get_stock_price", f1)
    c.delta({}, "tool_calls")
    c.done()
    sbody = dict(body)
    sbody["stream"] = True
    smatch = dict(match)
    smatch["stream"] = True
    ixs.append(interaction(
        "parallel-stream", 3000, sbody, smatch, 200, 3390,
        sse_headers("req_5e7a9c1d3f5b7d9f1b3d5f7a9c1e3b5d", 380),
        "parallel tool-call stream: call 0 then call 1, each opened by a fragment with id/name",
        chunks=c.out))
    return cassette("chat-parallel-tools", "Two get_stock_price calls in one reply (parallel "
                    "tool calls), non-stream and stream.", [REF_PARALLEL], ixs)


def function_call_session():
    ixs = []
    args = '{\n  "symbol": "AAPL"\n}'
    frags = ['{\n', ' ', ' "', 'symbol', '":', ' "', 'AA', 'PL', '"\n', '}']
    assert "".join(frags) == args
    body = {"model": "gpt-4", "messages": user(AAPL), "functions": [STOCK_FUNCTION]}
    match = {"messages": user(AAPL), "functions": [{"name": "get_stock_price"}]}
    cid = "chatcmpl-AW3r0fC1gD2hE3iF4jG5kH6lI7mJ8"
    ixs.append(interaction(
        "legacy-function", 0, body, match, 200, 930, json_headers("req_6f8b0d2e4a6c8e0a2c4e6b8d0f2a4c6e", 905),
        "deprecated functions + function_call, non-stream",
        body_json=completion(cid, 1732183500, "gpt-4-0613", None,
                             {"content": None, "function_call":
                              {"name": "get_stock_price", "arguments": args}},
                             "function_call", usage(60, 15))))
    cid = "chatcmpl-AW3r3nK4oL5pM6qN7rO8sP9tQ0uR1"
    c = Chunks(cid, 1732183503, "gpt-4-0613", None, 3450, 30)
    c.delta({"role": "assistant", "content": None,
             "function_call": {"name": "get_stock_price", "arguments": ""}, "refusal": None})
    for f in frags:
        c.delta({"function_call": {"arguments": f}})
    c.delta({}, "function_call")
    c.done()
    sbody = dict(body)
    sbody["stream"] = True
    smatch = dict(match)
    smatch["stream"] = True
    ixs.append(interaction(
        "legacy-function-stream", 3000, sbody, smatch, 200, 3430,
        sse_headers("req_7a9c1e3b5d7f9b1d3f5a7c9e1b3d5f7a", 420),
        "deprecated function_call stream: name in the first delta, arguments appended, "
        "finish_reason function_call", chunks=c.out))
    # The deprecated form's follow-up: the assistant's function_call, then a
    # `function` message with the result.
    msgs = user(AAPL) + [
        {"role": "assistant", "content": None, "refusal": None,
         "function_call": {"name": "get_stock_price", "arguments": args}},
        {"role": "function", "name": "get_stock_price", "content": STOCK_RESULT}]
    fmatch = {"messages": user(AAPL) + [{"role": "assistant"},
                                        {"role": "function", "name": "get_stock_price"}],
              "functions": [{"name": "get_stock_price"}]}
    ixs += text_pair("legacy-function-result", 6000,
                     {"model": "gpt-4", "messages": msgs, "functions": [STOCK_FUNCTION]},
                     fmatch, STOCK_TOKENS, "chatcmpl-AW3r6sL7tM8uN9vO0wP1xQ2yR3z",
                     1732183506, 96, "the function-result follow-up a function-call handler sends")
    return cassette("chat-function-call", "The deprecated functions/function_call form of the "
                    "AAPL question, non-stream and stream, and the follow-up turn with the "
                    "function's result.", [REF_GPTCHAT, REF_FOLLOWUP], ixs)


def stream_error_session():
    cid = "chatcmpl-AW3t0vS1wT2xU3yV4zW5aX6bY7cZ8"
    c = Chunks(cid, 1732183600, "gpt-4-0613", None, 450, 40)
    c.delta({"role": "assistant", "content": "", "refusal": None})
    for t in HAIKU_TOKENS:
        c.delta({"content": t})
    # A data-only error event after some deltas; the stream then ends
    # without [DONE] (oa-py _streaming.py raises APIError on it, oa-node
    # streaming.ts throws APIError).
    c.raw({"error": {"message": "The server had an error while processing your request. "
                                "Sorry about that!",
                     "type": "server_error", "param": None, "code": None}})
    ix = interaction(
        "haiku-stream-error", 0, {"model": "gpt-4", "messages": user(HAIKU), "stream": True},
        {"stream": True, "messages": user(HAIKU)}, 200, 430,
        sse_headers("req_8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8b", 402),
        "an error event in the middle of a stream: deltas first, then data: {\"error\":...}, "
        "then the stream ends without [DONE]", chunks=c.out)
    return cassette("chat-stream-error", "A stream that fails half way with a server_error "
                    "event.", [REF_TEXT, "openai/openai-python@v1.55.0 src/openai/_streaming.py",
                               "openai/openai-node@v4.73.0 src/streaming.ts"], [ix])


def write(c):
    path = os.path.join(OUT, c["meta"]["name"] + ".json")
    text = json.dumps(c, indent=2, ensure_ascii=False) + "\n"
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    print(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    for c in (hello_session(), tools_session(), parallel_session(), function_call_session(),
              stream_error_session()):
        write(c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
