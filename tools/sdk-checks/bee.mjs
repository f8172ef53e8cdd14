// bee.mjs: the unmodified official `openai` npm package (v4) runs the
// bee-python-sdk basic usage against `mockkit serve`'s Bee mock, as Bee's own
// e2e tests do with openai-node: assistants.create, threads.create,
// runs.createAndPoll, messages.list (auto-paginated, so SDKs that ignore
// has_more ask for the trailing `after=` page), then the same run streamed
// with runs.stream; a function tool polled (submitToolOutputsAndPoll), files
// and vector stores listed and deleted, Bee's built-in /tools, the deletes
// and /healthcheck. Prints PASS/FAIL per step; exits 0 only if all pass.
//
//   MOCKKIT_BEE_URL=http://127.0.0.1:4000 node tools/sdk-checks/bee.mjs
//
// Optional: BEE_API_KEY (default sk-proj-testkey), MOCKKIT_CHECK_TIMEOUT_MS
// (default 60000).
import OpenAI from 'openai';

const root = (process.env.MOCKKIT_BEE_URL || '').replace(/\/+$/, '').replace(/\/v1$/, ''); // tolerate a base URL given with /v1
if (!root) {
  console.error('bee.mjs: set MOCKKIT_BEE_URL (e.g. http://127.0.0.1:4000, without /v1)');
  process.exit(2);
}
const totalMs = Number(process.env.MOCKKIT_CHECK_TIMEOUT_MS || 60000);
const MODEL = 'meta-llama/llama-3-1-70b-instruct';
const QUESTION = 'What is the unicode character U+1F41D? Create a haiku about it.';

const watchdog = setTimeout(() => {
  console.log(`FAIL timeout: the checks did not finish within ${totalMs} ms`);
  process.exit(1);
}, totalMs);

// maxRetries 0: a mismatch must show as a failure, not as three requests.
const client = new OpenAI({
  baseURL: `${root}/v1`,
  apiKey: process.env.BEE_API_KEY || 'sk-proj-testkey',
  maxRetries: 0,
});

let failures = 0;
let stopped = false;

async function step(name, fn) {
  if (stopped) {
    failures++;
    console.log(`FAIL ${name}: skipped after an earlier failure`);
    return undefined;
  }
  try {
    const v = await fn();
    console.log(`PASS ${name}`);
    return v;
  } catch (e) {
    failures++;
    stopped = true; // each step needs the ids of the one before
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
    return undefined;
  }
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const isId = (s, prefix) => new RegExp(`^${prefix}_[0-9a-f]{24}$`).test(String(s));

const assistant = await step('assistants.create', async () => {
  const a = await client.beta.assistants.create({
    model: MODEL,
    tools: [{ type: 'code_interpreter' }],
  });
  check(a.object === 'assistant' && isId(a.id, 'asst'), `unexpected assistant ${a.id}`);
  return a;
});

const thread = await step('threads.create', async () => {
  const t = await client.beta.threads.create({
    messages: [{ role: 'user', content: QUESTION }],
  });
  check(t.object === 'thread' && isId(t.id, 'thread'), `unexpected thread ${t.id}`);
  return t;
});

const run = await step('runs.createAndPoll', async () => {
  const r = await client.beta.threads.runs.createAndPoll(
    thread.id,
    { assistant_id: assistant.id },
    { pollIntervalMs: 10 },
  );
  check(r.object === 'thread.run' && isId(r.id, 'run'), `unexpected run ${r.id}`);
  check(r.status === 'completed', `run ended ${r.status}`);
  return r;
});

await step('messages.list (answer first)', async () => {
  const page = await client.beta.threads.messages.list(thread.id);
  const first = page.data[0];
  check(first && first.role === 'assistant', 'first message is not the answer');
  check(first.run_id === run.id, 'answer does not name the run');
  const text = first.content[0]?.text?.value;
  check(typeof text === 'string' && text.length > 0, 'answer has no text');
});

await step('messages.list (auto-pagination)', async () => {
  const all = [];
  for await (const m of client.beta.threads.messages.list(thread.id)) all.push(m);
  check(all.length === 2, `expected 2 messages, got ${all.length}`);
  check(all[1].role === 'user' && all[1].content[0].text.value === QUESTION, 'question missing');
});

await step('runs.stream', async () => {
  const names = [];
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  let deltas = '';
  stream.on('textDelta', (d) => {
    deltas += d.value ?? '';
  });
  for await (const ev of stream) names.push(ev.event);
  const final = await stream.finalRun();
  check(names[0] === 'thread.run.created', `first event ${names[0]}`);
  const created = names.indexOf('thread.run.created');
  const completed = names.indexOf('thread.run.completed');
  check(completed > created, 'thread.run.completed missing or before created');
  for (const n of ['thread.run.step.created', 'thread.message.created', 'thread.message.delta',
                   'thread.message.completed']) {
    check(names.includes(n), `no ${n} event`);
  }
  // Bee ends with `event: done` / `data: "[DONE]"`: the SDK yields it and ends at EOF.
  check(names[names.length - 1] === 'done', `last event ${names[names.length - 1]}`);
  check(final.status === 'completed', `final run ${final.status}`);
  const messages = await stream.finalMessages();
  const text = messages[messages.length - 1]?.content?.[0]?.text?.value;
  check(text && text.length > 0, 'no final message text');
  check(deltas === text, 'text deltas do not add up to the final message');
});

const FN_TOOLS = [{
  type: 'function',
  function: {
    name: 'get_current_location',
    description: 'Returns the city the user is in right now.',
    parameters: { type: 'object', properties: {}, required: [] },
  },
}];

await step('function tool: createAndPoll + submitToolOutputsAndPoll', async () => {
  const a = await client.beta.assistants.create({ model: MODEL, tools: FN_TOOLS });
  const t = await client.beta.threads.create({
    messages: [{ role: 'user', content: 'Where am I right now? Answer with the city name only.' }],
  });
  const r = await client.beta.threads.runs.createAndPoll(t.id, { assistant_id: a.id },
    { pollIntervalMs: 10 });
  check(r.status === 'requires_action', `run stopped at ${r.status}`);
  const call = r.required_action.submit_tool_outputs.tool_calls[0];
  const done = await client.beta.threads.runs.submitToolOutputsAndPoll(t.id, r.id,
    { tool_outputs: [{ tool_call_id: call.id, output: 'Prague, Czech Republic' }] },
    { pollIntervalMs: 10 });
  check(done.status === 'completed', `after the outputs the run is ${done.status}`);
});

await step('files and vector stores (auto-pagination, Bee delete names)', async () => {
  const vs = client.vectorStores ?? client.beta.vectorStores; // out of beta in later 4.x
  const files = [];
  for await (const f of client.files.list()) files.push(f);
  check(files.length === 1 && files[0].object === 'file', `files: ${files.length}`);
  const stores = [];
  for await (const v of vs.list()) stores.push(v);
  check(stores.length === 1 && stores[0].object === 'vector_store', `stores: ${stores.length}`);
  check(!('expires_at' in stores[0]), 'Bee omits expires_at without expires_after');
  // Bee's quirk: the vector-store file list's last_id is a file id, which the
  // cursor cannot find, so the page after it is 404. SDKs that ignore
  // has_more (openai-node v4.73) ask for it and fail, as against Bee; the
  // lockfile's openai stops at has_more:false and never asks.
  let err;
  const vfiles = [];
  try {
    for await (const f of vs.files.list(stores[0].id)) vfiles.push(f);
  } catch (e) { err = e; }
  if (err) check(err.status === 404, `vector-store files: ${err.message}`);
  else check(vfiles.length === 1 && vfiles[0].id === files[0].id, 'vector-store file id is the file id');
  const vsf = await vs.files.del(stores[0].id, files[0].id);
  check(vsf.object === 'vectorStoreFile.deleted' && vsf.deleted === true, `${vsf.object}`);
  const ds = await vs.del(stores[0].id);
  check(ds.object === 'vectorStore.deleted', `${ds.object}`);
  const f = await client.files.del(files[0].id);
  check(f.object === 'file.deleted', `${f.object}`);
});

await step('GET /tools: the 9 built-ins', async () => {
  const page = await client.get('/tools');
  const ids = page.data.map((t) => t.id);
  for (const id of ['web_search', 'wikipedia', 'weather', 'arxiv', 'read_file', 'llm',
                    'calculator', 'function', 'file_search']) {
    check(ids.includes(id), `no built-in ${id}`);
  }
});

await step('deletes and /healthcheck', async () => {
  const m = await client.beta.threads.messages.list(thread.id);
  const q = m.data[m.data.length - 1];
  const dm = await client.beta.threads.messages.del(thread.id, q.id);
  check(dm.object === 'thread.message.deleted', `${dm.object}`);
  const dt = await client.beta.threads.del(thread.id);
  check(dt.object === 'thread.deleted' && dt.deleted, `${dt.object}`);
  const da = await client.beta.assistants.del(assistant.id);
  check(da.object === 'assistant.deleted' && da.deleted, `${da.object}`);
  const res = await fetch(`${root}/healthcheck`);
  check(res.status === 200 && (await res.text()) === '{"status":"ok"}', 'healthcheck');
});

clearTimeout(watchdog);
console.log(failures === 0 ? 'bee: all checks passed' : `bee: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
