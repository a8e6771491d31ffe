/**
 * Reads: GET /v1/slots (a week of the demo county) and the coordinator's
 * calendar pages (week and month), against Hono's "hello" on the same
 * node-server in its own process — measured side by side in one run, closed
 * loop at the same concurrency, medians of several interleaved rounds. The
 * "hello" is the ceiling any route of this stack could reach on this machine,
 * so the ratio says how much of that our reads keep. The client is fetch, in this process: with
 * a lighter client "hello" answers several times faster (it is mostly the client's own cost), so
 * the ratio would fall; each row also reports the serving process's CPU time per request, which
 * the machine's load moves far less than the rates.
 */
import { cpuMsOf, median, prepareBenchDatabase, runFor, startApiProcess, table } from './support.js';

const CONCURRENCY = 16;
const SECONDS = 4;
const RUNS = 3;
const COUNTY = 'READSBENCH';

export async function runReadsBench() {
  await prepareBenchDatabase();
  const { db, disconnectDb } = await import('../src/db.js');
  const { mintToken } = await import('../src/services/tokens.js');
  const { seedDemoCounty } = await import('../fixtures/demo-county.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');

  // One demo county for every run of this bench (seeding takes a while); its slots run a year ahead of its seeding.
  let authority = await db().authority.findUnique({ where: { code: COUNTY } });
  if (!authority) {
    await seedDemoCounty({ code: COUNTY });
    authority = await db().authority.findUniqueOrThrow({ where: { code: COUNTY } });
  }
  const token = await mintToken({ role: 'COORDINATOR', authorityId: authority.id });
  const from = addDays(londonDateOf(new Date()), 7);
  const to = addDays(from, 6);

  const hello = await startApiProcess({ entry: 'bench/hello-server.ts', ready: '/' });
  const api = await startApiProcess();
  const cookie = await signIn(api.url, token);

  const targets: { name: string; url: string; headers: Record<string, string>; pid: number }[] = [
    { name: 'Hono "hello"', url: `${hello.url}/`, headers: {}, pid: hello.pid },
    { name: 'GET /v1/slots (one week)', url: `${api.url}/v1/slots?from=${from}&to=${to}`, headers: { Authorization: `Bearer ${token}` }, pid: api.pid },
    { name: 'calendar page, week', url: `${api.url}/coordinator?week=${from}`, headers: { Cookie: cookie }, pid: api.pid },
    { name: 'calendar page, month', url: `${api.url}/coordinator?view=month&week=${from}`, headers: { Cookie: cookie }, pid: api.pid },
  ];
  const bytes = new Map<string, number>();
  for (const t of targets) {
    const res = await fetch(t.url, { headers: t.headers });
    if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    bytes.set(t.name, (await res.arrayBuffer()).byteLength);
  }
  const results = new Map<string, (Awaited<ReturnType<typeof runFor>> & { cpuMs: number })[]>(targets.map((t) => [t.name, []]));
  for (const t of targets) await runFor(1, CONCURRENCY, () => get(t.url, t.headers)); // warm-up
  for (let run = 0; run < RUNS; run++) {
    for (const t of targets) {
      const cpu0 = cpuMsOf(t.pid);
      const r = await runFor(SECONDS, CONCURRENCY, () => get(t.url, t.headers));
      results.get(t.name)!.push({ ...r, cpuMs: (cpuMsOf(t.pid) - cpu0) / Math.max(1, r.n) });
    }
  }
  await api.close();
  await hello.close();
  await disconnectDb();

  const helloRate = median(results.get(targets[0]!.name)!.map((r) => r.throughput));
  const rows = targets.map((t) => {
    const rs = results.get(t.name)!;
    const rate = median(rs.map((r) => r.throughput));
    return {
      read: t.name,
      'req/s': Math.round(rate),
      'x hello': Number((rate / helloRate).toFixed(3)),
      'p50 ms': Number(median(rs.map((r) => r.p50)).toFixed(1)),
      'p99 ms': Number(median(rs.map((r) => r.p99)).toFixed(1)),
      'KB': Number(((bytes.get(t.name) ?? 0) / 1024).toFixed(1)),
      'server CPU ms/req': Number(median(rs.map((r) => r.cpuMs)).toFixed(2)),
      failures: rs.reduce((n, r) => n + r.failures, 0),
    };
  });
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`\nReads: ${RUNS} runs x ${SECONDS} s each, ${CONCURRENCY} concurrent (medians; target >= 0.05x hello; load average ${load})\n${table(rows)}`);
  return rows;
}

async function get(url: string, headers: Record<string, string>): Promise<boolean> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return res.status === 200;
}

/** A browser's sign-in: the form's CSRF token and cookie, then the session cookie. */
async function signIn(base: string, token: string): Promise<string> {
  const page = await fetch(`${base}/`);
  const formCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: formCookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, _csrf: csrf }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return [formCookie, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runReadsBench();
  process.exit(0);
}
