// openai.mjs: the unmodified official `openai` npm package (v4) against
// `mockkit serve`, running the gptchat flows. Prints PASS/FAIL per step and
// exits 0 only if every step passes.
//
//   MOCKKIT_OPENAI_URL=http://127.0.0.1:8080/v1 node tools/sdk-checks/openai.mjs
//
// Streams are read twice where the SDK offers it: once raw
// (chat.completions.create({stream:true})) and once through the SDK's own
// accumulator (beta.chat.completions.stream(...).finalChatCompletion()), so
// the SDK's folding of the replayed chunks is checked against the
// non-stream reply to the same question.
import OpenAI from 'openai';

const baseURL = process.env.MOCKKIT_OPENAI_URL;
if (!baseURL) {
  console.error('openai.mjs: set MOCKKIT_OPENAI_URL (e.g. http://127.0.0.1:8080/v1)');
  process.exit(2);
}
const apiKey = 'sk-proj-testkey';
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20000 });

const HELLO = [{ role: 'user', content: 'Hello, how are you?' }];
const AAPL = [{ role: 'user', content: 'What is the stock price of AAPL?' }];
const PARALLEL = [{ role: 'user', content: 'What are the stock prices of AAPL and MSFT?' }];
const HAIKU = [{ role: 'user', content: 'Write a haiku about the sea.' }];
const PARAMS = {
  type: 'object',
  properties: { symbol: { type: 'string', description: 'The stock ticker symbol, e.g. AAPL' } },
  required: ['symbol'],
};
const STOCK_TOOL = {
  type: 'function',
  function: {
    name: 'get_stock_price',
    description: 'Get the current stock price for a ticker symbol',
    parameters: PARAMS,
  },
};
const STOCK_FUNCTION = {
  name: 'get_stock_price',
  description: 'Get the current stock price for a ticker symbol',
  parameters: PARAMS,
};

let failures = 0;

async function step(name, fn) {
  try {
    await fn();
    console.log(`PASS ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

function eq(a, b, what) {
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(`${what}: got ${ja}, want ${jb}`);
}

function symbolOf(fn) {
  const args = JSON.parse(fn.arguments);
  check(typeof args.symbol === 'string', `arguments without symbol: ${fn.arguments}`);
  return args.symbol;
}

async function rawChunks(params) {
  const stream = await client.chat.completions.create({ ...params, stream: true });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function sdkFold(params) {
  const runner = client.beta.chat.completions.stream(params);
  return await runner.finalChatCompletion();
}

// Non-stream replies, kept to compare the streams against.
let helloReply, stockReply, parallelReply, legacyReply;

await step('hello: non-stream reply is a chat.completion', async () => {
  helloReply = await client.chat.completions.create({ model: 'gpt-4', messages: HELLO });
  eq(helloReply.object, 'chat.completion', 'object');
  check(helloReply.id.startsWith('chatcmpl-'), `id ${helloReply.id}`);
  const c = helloReply.choices[0];
  eq(c.finish_reason, 'stop', 'finish_reason');
  eq(c.message.role, 'assistant', 'role');
  check(typeof c.message.content === 'string' && c.message.content.length > 0, 'content');
  const u = helloReply.usage;
  eq(u.total_tokens, u.prompt_tokens + u.completion_tokens, 'usage total');
});

await step('hello: stream deltas join to the reply', async () => {
  const chunks = await rawChunks({ model: 'gpt-4', messages: HELLO });
  check(chunks.length > 2, `only ${chunks.length} chunks`);
  const id = chunks[0].id;
  let text = '';
  chunks.forEach((ch, i) => {
    eq(ch.object, 'chat.completion.chunk', `chunk ${i} object`);
    eq(ch.id, id, `chunk ${i} id`);
    const d = ch.choices[0].delta;
    if (i === 0) eq(d.role, 'assistant', 'first delta role');
    else check(d.role === undefined, `role in chunk ${i}`);
    text += d.content ?? '';
  });
  eq(chunks[chunks.length - 1].choices[0].finish_reason, 'stop', 'last finish_reason');
  eq(text, helloReply.choices[0].message.content, 'joined content');
});

await step('hello: SDK finalChatCompletion equals the reply', async () => {
  const done = await sdkFold({ model: 'gpt-4', messages: HELLO });
  eq(done.object, 'chat.completion', 'object');
  eq(done.choices[0].finish_reason, 'stop', 'finish_reason');
  eq(done.choices[0].message.role, 'assistant', 'role');
  eq(done.choices[0].message.content, helloReply.choices[0].message.content, 'content');
});

await step('hello: include_usage ends with a usage chunk', async () => {
  const chunks = await rawChunks({
    model: 'gpt-4', messages: HELLO, stream_options: { include_usage: true },
  });
  const last = chunks[chunks.length - 1];
  eq(last.choices, [], 'last chunk choices');
  const u = last.usage;
  check(u && u.total_tokens === u.prompt_tokens + u.completion_tokens, 'usage totals');
  chunks.slice(0, -1).forEach((ch, i) => check(ch.usage == null, `usage on chunk ${i}`));
  const done = await sdkFold({
    model: 'gpt-4', messages: HELLO, stream_options: { include_usage: true },
  });
  eq(done.usage, u, 'finalChatCompletion usage');
});

await step('AAPL: non-stream reply calls get_stock_price', async () => {
  stockReply = await client.chat.completions.create({
    model: 'gpt-4', messages: AAPL, tools: [STOCK_TOOL],
  });
  const c = stockReply.choices[0];
  eq(c.finish_reason, 'tool_calls', 'finish_reason');
  eq(c.message.content, null, 'content');
  eq(c.message.tool_calls.length, 1, 'tool_calls');
  eq(c.message.tool_calls[0].function.name, 'get_stock_price', 'name');
  eq(symbolOf(c.message.tool_calls[0].function), 'AAPL', 'symbol');
});

await step('AAPL: stream fragments open with id and name', async () => {
  const chunks = await rawChunks({ model: 'gpt-4', messages: AAPL, tools: [STOCK_TOOL] });
  const frags = chunks.flatMap((ch) => ch.choices[0]?.delta?.tool_calls ?? []);
  check(frags.length >= 2, `${frags.length} fragments`);
  check(frags[0].id?.startsWith('call_'), 'first fragment id');
  eq(frags[0].function.name, 'get_stock_price', 'first fragment name');
  eq(frags[0].function.arguments, '', 'first fragment arguments');
  frags.slice(1).forEach((f, i) => {
    check(f.id === undefined && f.function.name === undefined, `fragment ${i + 1} has id/name`);
  });
  eq(chunks[chunks.length - 1].choices[0].finish_reason, 'tool_calls', 'finish_reason');
});

await step('AAPL: SDK finalChatCompletion equals the reply', async () => {
  const runner = client.beta.chat.completions.stream({
    model: 'gpt-4', messages: AAPL, tools: [STOCK_TOOL],
  });
  const doneEvents = [];
  runner.on('tool_calls.function.arguments.done', (e) => doneEvents.push(e));
  const done = await runner.finalChatCompletion();
  const got = done.choices[0].message.tool_calls;
  const want = stockReply.choices[0].message.tool_calls;
  eq(done.choices[0].finish_reason, 'tool_calls', 'finish_reason');
  eq(got.length, want.length, 'tool_calls');
  eq(got[0].function.name, want[0].function.name, 'name');
  eq(JSON.parse(got[0].function.arguments), JSON.parse(want[0].function.arguments), 'arguments');
  eq(doneEvents.length, 1, 'arguments.done events');
  eq(doneEvents[0].arguments, got[0].function.arguments, 'arguments.done payload');
});

await step('AAPL: SDK runTools sends the tool result and gets the answer', async () => {
  // the SDK's own function-call handler: it calls the tool, appends the
  // assistant message and a `tool` message, and asks again
  let called = 0;
  const runner = client.beta.chat.completions.runTools({
    model: 'gpt-4', messages: AAPL,
    tools: [{
      type: 'function',
      function: {
        ...STOCK_TOOL.function,
        parse: JSON.parse,
        function: (args) => { called++; eq(args.symbol, 'AAPL', 'tool args'); return { symbol: 'AAPL', price: 189.84, currency: 'USD' }; },
      },
    }],
  });
  const final = await runner.finalContent();
  eq(called, 1, 'tool calls run');
  check(typeof final === 'string' && final.length > 0, `final content: ${final}`);
  const sent = runner.messages;
  check(sent.some((m) => m.role === 'tool'), 'no tool message in the conversation');
});

await step('parallel: two calls by index, SDK fold equals the reply', async () => {
  const params = { model: 'gpt-4o', messages: PARALLEL, tools: [STOCK_TOOL] };
  parallelReply = await client.chat.completions.create(params);
  const want = parallelReply.choices[0].message.tool_calls;
  eq(want.length, 2, 'non-stream tool_calls');
  const chunks = await rawChunks(params);
  const openers = chunks
    .flatMap((ch) => ch.choices[0]?.delta?.tool_calls ?? [])
    .filter((f) => f.id !== undefined)
    .map((f) => f.index);
  eq(openers, [0, 1], 'calls opened by index');
  const done = await sdkFold(params);
  const got = done.choices[0].message.tool_calls;
  eq(got.length, 2, 'folded tool_calls');
  eq(got.map((t) => symbolOf(t.function)), want.map((t) => symbolOf(t.function)), 'symbols');
  check(got[0].id !== got[1].id, 'distinct ids');
});

await step('legacy function_call: SDK fold equals the reply', async () => {
  const params = { model: 'gpt-4', messages: AAPL, functions: [STOCK_FUNCTION] };
  legacyReply = await client.chat.completions.create(params);
  eq(legacyReply.choices[0].finish_reason, 'function_call', 'finish_reason');
  const done = await sdkFold(params);
  eq(done.choices[0].finish_reason, 'function_call', 'folded finish_reason');
  const got = done.choices[0].message.function_call;
  const want = legacyReply.choices[0].message.function_call;
  eq(got.name, want.name, 'name');
  eq(symbolOf(got), symbolOf(want), 'symbol');
});

await step('mid-stream error event throws APIError after the deltas', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4', messages: HAIKU, stream: true,
  });
  let deltas = 0;
  let thrown = null;
  try {
    for await (const chunk of stream) if (chunk.choices[0]?.delta) deltas++;
  } catch (e) {
    thrown = e;
  }
  check(thrown instanceof OpenAI.APIError, `expected APIError, got ${thrown}`);
  check(/The server had an error/.test(thrown.message), `message: ${thrown.message}`);
  check(deltas >= 2, `${deltas} deltas before the error`);
});

await step('wrong key: 401 AuthenticationError invalid_api_key', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'sk-proj-wrongkey1234', maxRetries: 0 });
  let thrown = null;
  try {
    await bad.chat.completions.create({ model: 'gpt-4', messages: HELLO });
  } catch (e) {
    thrown = e;
  }
  check(thrown instanceof OpenAI.AuthenticationError, `expected AuthenticationError, got ${thrown}`);
  eq(thrown.status, 401, 'status');
  eq(thrown.code, 'invalid_api_key', 'code');
  eq(thrown.type, 'invalid_request_error', 'type');
});

console.log(failures ? `openai: ${failures} step(s) failed` : 'openai: all steps passed');
process.exit(failures ? 1 : 0);
