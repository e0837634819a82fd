// The dashboards' figures are counted in SQL (GROUP BY), not by reading every row: the privacy officer's
// requests per month, by the month of receipt in Bangkok (the process runs in UTC), drills left out; the
// compliance manager's exceptions, from the sweep's tasks per control.
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let privacy: ReturnType<typeof client>;
let compliance: ReturnType<typeof client>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  privacy = client(t.baseUrl, await login(t.baseUrl, DEMO.privacy));
  compliance = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
});
afterAll(async () => t?.close());

const ICT = 7 * 3_600_000;

/** The first instant of the calendar month `back` months before this one, in Bangkok. */
function monthStartIct(back: number, now = new Date()): Date {
  const local = new Date(now.getTime() + ICT);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1) - ICT);
}
const monthKey = (at: Date) => new Date(at.getTime() + ICT).toISOString().slice(0, 7);

async function volume(): Promise<Map<string, number>> {
  const res = await privacy('GET', '/dashboard/dsr-volume.csv');
  expect(res.status).toBe(200);
  const lines = res.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe('Month,Requests received');
  return new Map(lines.slice(1).map((l) => [l.split(',')[0], Number(l.split(',')[1])]));
}

describe("the privacy officer's requests per month", () => {
  it('counts each request under its month in Bangkok: 23:59:59 on the last day, then 00:00 on the first', async () => {
    const ds = t.app.get(DataSource);
    const before = await volume();
    expect(before.size).toBe(12);
    const boundary = monthStartIct(1); // 00:00 ICT on the first of last month = 17:00 UTC the day before
    const received = [
      new Date(boundary.getTime() - 1000), // 23:59:59 ICT, the last day of the month before last
      boundary, // 00:00:00 ICT, last month
      new Date(boundary.getTime() + 1000),
      monthStartIct(13), // thirteen months ago: outside the twelve months shown
    ];
    const refs: string[] = [];
    for (const [i] of received.entries()) {
      const created = await privacy('POST', '/api/dsr/requests', {
        right: 'access',
        channel: 'email',
        subject: { name: `Volume Subject ${i}`, email: `volume${i}@patient.test` },
      });
      expect(created.status).toBe(201);
      refs.push(created.json.id as string);
    }
    for (const [i, at] of received.entries())
      await ds.query('UPDATE dsr_requests SET received_at = $2 WHERE id = $1', [refs[i], at]);
    const drill = await privacy('POST', '/api/dsr/drills', {}); // its requests are drills: never counted
    expect([200, 201]).toContain(drill.status);

    const after = await volume();
    const monthBeforeLast = monthKey(monthStartIct(2));
    const lastMonth = monthKey(boundary);
    expect(monthKey(received[0])).toBe(monthBeforeLast);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [month, n] of after) {
      const added = month === monthBeforeLast ? 1 : month === lastMonth ? 2 : 0;
      expect({ month, n }).toEqual({ month, n: before.get(month)! + added });
    }
  });

  it('counts, for each reader, the requests that reader may list (the access rules inside the count)', async () => {
    for (const who of ['privacy', 'auditor', 'compliance'] as const) {
      const as = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
      const csv = await as('GET', '/dashboard/dsr-volume.csv');
      const listed = await as('GET', '/api/dsr/requests?limit=200');
      if (listed.status !== 200) {
        expect({ who, csv: csv.status }).toEqual({ who, csv: listed.status });
        continue;
      }
      expect(csv.status).toBe(200);
      expect(listed.json.total).toBeLessThanOrEqual(200); // every request on one page
      const counted = new Map<string, number>();
      for (const r of listed.json.items as { receivedAt: string }[]) {
        const month = monthKey(new Date(r.receivedAt));
        counted.set(month, (counted.get(month) ?? 0) + 1);
      }
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/)
        .slice(1);
      expect(lines).toHaveLength(12);
      for (const line of lines) {
        const [month, n] = line.split(',');
        expect({ who, month, n: Number(n) }).toEqual({ who, month, n: counted.get(month) ?? 0 });
      }
    }
  });
});

describe("the compliance manager's exceptions", () => {
  it('are the tasks closed with an exception this week, in total and under each framework of their control', async () => {
    const opened = await compliance('POST', '/api/sweeps', {});
    expect(opened.status).toBe(200);
    const week = opened.json.week as string;
    const tasks = (await compliance('GET', `/api/sweeps/${week}/tasks?limit=3`)).json.items as {
      id: string;
      controlKey: string;
    }[];
    expect(tasks).toHaveLength(3);
    for (const task of tasks.slice(0, 2)) {
      const done = await compliance('POST', `/api/sweep-tasks/${task.id}/complete`, {
        outcome: 'exception',
        reason: 'Counted by the dashboard test.',
      });
      expect(done.status).toBe(200);
    }
    const page = await compliance('GET', '/');
    expect(page.status).toBe(200);
    const figure = (selector: string) => {
      const m = new RegExp(`${selector}[^>]*>\\s*(\\d+)\\s*<`).exec(page.text);
      expect(m).not.toBeNull();
      return Number(m![1]);
    };
    expect(figure('id="dash-exceptions"')).toBe(2);
    const frameworks = new Map<string, number>();
    for (const task of tasks.slice(0, 2)) {
      const control = (await compliance('GET', `/api/controls/${task.controlKey}`)).json;
      for (const f of new Set(control.requirements.map((r: { framework: string }) => r.framework)))
        frameworks.set(f as string, (frameworks.get(f as string) ?? 0) + 1);
    }
    expect(frameworks.size).toBeGreaterThan(0);
    const posture = (await compliance('GET', '/api/posture')).json.items as { framework: string }[];
    for (const { framework } of posture) {
      const row = new RegExp(`data-framework="${framework}"[\\s\\S]*?class="exceptions"[^>]*>\\s*(\\d+)`).exec(
        page.text,
      );
      expect({ framework, n: Number(row?.[1]) }).toEqual({ framework, n: frameworks.get(framework) ?? 0 });
    }
  });
});
