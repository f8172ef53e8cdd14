// bee.mjs: the unmodified official `openai` npm package (v4) runs the
// bee-python-sdk basic usage against `mockkit serve`'s Bee mock, as Bee's own
// e2e tests do with openai-node: assistants.create, threads.create,
// runs.createAndPoll, messages.list (auto-paginated, so SDKs that ignore
// has_more ask for the trailing `after=` page), then the same run streamed
// with runs.stream. Prints PASS/FAIL per step; exits 0 only if all pass.
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

clearTimeout(watchdog);
console.log(failures === 0 ? 'bee: all checks passed' : `bee: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
