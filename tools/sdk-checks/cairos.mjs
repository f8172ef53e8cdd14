// cairos.mjs: a standards EventSource client (npm `eventsource` v3) plus
// Node's fetch run the Cairos seed flow against `mockkit serve`, the way
// CairosAI/cairos-python-client's example does it: log in with a form, keep
// the Outseta token cookie and the session id, open the event log BEFORE the
// chat, wait for the typed animation_success, export, wait for
// export_success, download the zip. Prints PASS/FAIL per step and exits 0
// only if every step passes; the whole run is bounded by a timeout.
//
//   MOCKKIT_CAIROS_URL=http://127.0.0.1:8000/api node tools/sdk-checks/cairos.mjs
//
// Optional: CAIROS_USER / CAIROS_PASSWORD (default bob / bobspassword),
// MOCKKIT_CHECK_TIMEOUT_MS (default 90000; the recorded flow takes ~25 s at
// speed 1).
import { EventSource } from 'eventsource';

const base = (process.env.MOCKKIT_CAIROS_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('cairos.mjs: set MOCKKIT_CAIROS_URL (e.g. http://127.0.0.1:8000/api)');
  process.exit(2);
}
const user = process.env.CAIROS_USER || 'bob';
const password = process.env.CAIROS_PASSWORD || 'bobspassword';
const totalMs = Number(process.env.MOCKKIT_CHECK_TIMEOUT_MS || 90000);
const TOKEN_COOKIE = 'Outseta.nocode.accessToken';
const PROMPT = 'Running on all fours';

const watchdog = setTimeout(() => {
  console.log(`FAIL timeout: the flow did not finish within ${totalMs} ms`);
  process.exit(1);
}, totalMs);

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
    stopped = true; // every step needs the one before it
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
    return undefined;
  }
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const hex = (uuid) => String(uuid).replace(/-/g, '').toLowerCase();

let token = '';
let session = '';
const cookieHeader = () =>
  session ? `${TOKEN_COOKIE}=${token}; cairos_session=${session}` : `${TOKEN_COOKIE}=${token}`;
const authHeaders = () => ({ Authorization: `Bearer ${token}`, Cookie: cookieHeader() });

async function api(method, path, { body, expect = 200, raw = false } = {}) {
  const headers = authHeaders();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  check(res.status === expect, `${method} ${path}: HTTP ${res.status} (want ${expect}): ${buf.toString().slice(0, 200)}`);
  return raw ? { res, buf } : JSON.parse(buf.toString());
}

// Events arrive on the EventSource; a step waits for one by name, bounded.
const arrived = new Map(); // name -> [{data, at}]
const waiters = new Map(); // name -> resolve
let sse;
function deliver(name, ev) {
  const item = { data: ev.data, at: Date.now() };
  const w = waiters.get(name);
  if (w) {
    waiters.delete(name);
    w(item);
  } else {
    if (!arrived.has(name)) arrived.set(name, []);
    arrived.get(name).push(item);
  }
}
function nextEvent(name, ms = 60000) {
  const q = arrived.get(name);
  if (q && q.length) return Promise.resolve(q.shift());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      waiters.delete(name);
      reject(new Error(`no "${name}" event within ${ms} ms`));
    }, ms);
    waiters.set(name, (item) => {
      clearTimeout(t);
      resolve(item);
    });
  });
}

await step('login (form) sets the Outseta token cookie', async () => {
  const form = new URLSearchParams({ username: user, password, scope: '' });
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    signal: AbortSignal.timeout(30000),
  });
  check(res.status === 200, `POST /login: HTTP ${res.status}`);
  await res.arrayBuffer();
  // The Python client's parser: split on ',', keep up to ';', split on '='.
  for (const line of res.headers.getSetCookie()) {
    const [name, ...rest] = line.split(';')[0].trim().split('=');
    if (name === TOKEN_COOKIE) token = rest.join('=');
    check(rest.length === 1, `Set-Cookie value holds '=': ${line}`);
  }
  check(token, `no ${TOKEN_COOKIE} in Set-Cookie`);
});

await step('wrong password is refused with 401', async () => {
  const form = new URLSearchParams({ username: user, password: `${password}-wrong`, scope: '' });
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    signal: AbortSignal.timeout(30000),
  });
  const body = await res.text();
  check(res.status === 401, `HTTP ${res.status}: ${body.slice(0, 200)}`);
});

await step('GET /session_id is a JSON string', async () => {
  const s = await api('GET', '/session_id');
  check(typeof s === 'string' && s.length > 0, `not a string: ${JSON.stringify(s)}`);
  session = s;
});

let streamEnded = false;
await step('event log opens (EventSource, cookies through a custom fetch)', async () => {
  sse = new EventSource(`${base}/event_log`, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init.headers, ...authHeaders() } }),
  });
  for (const name of ['animation_success', 'animation_error', 'export_success', 'export_error',
                      'usage_report', 'debug', 'message'])
    sse.addEventListener(name, (ev) => deliver(name, ev));
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('not open within 10 s')), 10000);
    sse.onopen = () => { clearTimeout(t); resolve(); };
    sse.onerror = (e) => { clearTimeout(t); reject(new Error(`error: ${e && e.message}`)); };
  });
  // sse-starlette never ends the stream: an error (end, reconnect) after
  // this point is reported by the last step
  sse.onerror = () => { streamEnded = true; };
});

let thread;
await step('list threads, create one, get it by id', async () => {
  const list = await api('GET', '/thread');
  check(Array.isArray(list) && list.length >= 1, 'no threads listed');
  check(typeof list[0].id === 'string', 'ChatThreadInList.id is not a string');
  thread = await api('POST', '/thread', { expect: 201 });
  check(typeof thread.id === 'string' && thread.id, 'ChatThreadPublic.id missing');
  const again = await api('GET', `/thread/${thread.id}`);
  check(again.id === thread.id, `get returned ${again.id}`);
});

let chat;
let chatAt = 0;
await step('chat (send_chat) returns a ChatOutput with motions', async () => {
  chatAt = Date.now();
  check(!arrived.has('animation_success'), 'animation_success arrived before the chat request');
  chat = await api('POST', `/thread/${thread.id}`, {
    body: { prompt: { content: PROMPT, id: hex(crypto.randomUUID()) }, history: [], btl_objs: [] },
  });
  check(typeof chat.trigger_msg === 'string', 'trigger_msg missing');
  check(Array.isArray(chat.messages), 'messages is not an array');
  const art = chat.messages.find((m) => m && m.artifact);
  check(art && Array.isArray(art.artifact.entries) && art.artifact.entries.length > 0,
        'no motions artifact in messages');
});

let anim;
await step('event log: typed animation_success after the chat request', async () => {
  const ev = await nextEvent('animation_success');
  check(ev.at >= chatAt, 'arrived before the chat request was sent');
  anim = JSON.parse(ev.data);
  for (const k of ['job_thread', 'job_trigger', 'user_id', 'created_at', 'filepath_gltf', 'filepath_bgeo'])
    check(typeof anim[k] === 'string', `OrmAnimation.${k} is not a string`);
  check(anim.job_thread === thread.id, `job_thread ${anim.job_thread} != thread ${thread.id}`);
  check(hex(anim.job_trigger) === hex(chat.trigger_msg), 'job_trigger != the chat trigger_msg');
  check(!arrived.has('message'), 'an unnamed "message" event arrived (id:/blank-line trouble)');
});

let exportAt = 0;
await step('export (202 OrmAnimation)', async () => {
  exportAt = Date.now();
  const r = await api('POST', `/anim/${anim.job_thread}/${hex(anim.job_trigger)}/export`, { expect: 202 });
  check(r.job_thread === anim.job_thread, 'export answered another animation');
});

let exp;
await step('event log: typed export_success after the export request', async () => {
  const ev = await nextEvent('export_success');
  check(ev.at >= exportAt, 'arrived before the export request was sent');
  exp = JSON.parse(ev.data);
  for (const k of ['job_thread', 'job_trigger', 'user_id', 'created_at', 'filepath'])
    check(typeof exp[k] === 'string', `Export.${k} is not a string`);
  check(exp.job_thread === thread.id, 'export_success for another thread');
});

await step('download the export (zip bytes)', async () => {
  const { res, buf } = await api('GET', `/anim/${exp.job_thread}/${hex(exp.job_trigger)}/download`, { raw: true });
  check(buf.length > 22, `only ${buf.length} bytes`);
  check(buf.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')),
        `not a zip (content-type ${res.headers.get('content-type')})`);
});

await step('event log: only CairosSSEMessages events, and still open after the last', async () => {
  // cairos_python_client/sse_listener.py: `debug` is not in the enum, so
  // CairosSSEHandler(error_on_unknown=True) would raise UnknownSSEMessage
  check(!arrived.has('debug'), 'a debug event arrived on the default event log');
  await new Promise((r) => setTimeout(r, 300));
  check(!streamEnded && sse.readyState === EventSource.OPEN,
        'the event log ended after its last event (sse-starlette keeps it open with pings)');
});

if (sse) sse.close();
clearTimeout(watchdog);
console.log(failures === 0 ? 'cairos: all steps passed' : `cairos: ${failures} step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
