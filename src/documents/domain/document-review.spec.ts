import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REVIEW_REMIND_DAYS_BEFORE, reviewDueAt, reviewRemindFrom, reviewState } from './document-review';

// A review day of 31 December 2026: due 23:59 ICT = 16:59 UTC that day; reminded from 1 December 00:00 ICT
// (30 November 17:00 UTC).
const DAY = '2026-12-31';
const at = (iso: string) => new Date(iso);

describe('review dates in Asia/Bangkok', () => {
  it('is due at 23:59 ICT on the review day and reminded from 00:00 ICT thirty days before', () => {
    expect(REVIEW_REMIND_DAYS_BEFORE).toBe(30);
    expect(reviewDueAt(DAY).toISOString()).toBe('2026-12-31T16:59:00.000Z');
    expect(reviewRemindFrom(DAY).toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });

  it.each([
    ['a minute before the reminder starts (30 Nov 23:59 ICT)', '2026-11-30T16:59:00.000Z', 'scheduled'],
    ['the millisecond before the reminder starts', '2026-11-30T16:59:59.999Z', 'scheduled'],
    ['when the reminder starts (1 Dec 00:00 ICT, still 30 Nov in UTC)', '2026-11-30T17:00:00.000Z', 'due_soon'],
    ['the review day at 07:00 ICT (00:00 UTC)', '2026-12-31T00:00:00.000Z', 'due_soon'],
    ['23:59 ICT on the review day: due, not yet overdue', '2026-12-31T16:59:00.000Z', 'due_soon'],
    ['a millisecond after 23:59 ICT', '2026-12-31T16:59:00.001Z', 'overdue'],
    ['00:00 ICT the day after (still 31 Dec in UTC)', '2026-12-31T17:00:00.000Z', 'overdue'],
    ['weeks later', '2027-02-01T00:00:00.000Z', 'overdue'],
  ])('%s → %s', (_, now, state) => expect(reviewState(DAY, at(now))).toBe(state));

  it('counts calendar days across a month of 28 days (review on 1 March: reminded from 30 January)', () => {
    expect(reviewRemindFrom('2027-03-01').toISOString()).toBe('2027-01-29T17:00:00.000Z');
  });

  it('gives the same instants with the server in New York (a separate process started with TZ=America/New_York)', () => {
    // Setting process.env.TZ inside a Jest worker does not move its Date; a fresh process does.
    const script = `
      const swc = require('@swc/core');
      const fs = require('fs');
      require.extensions['.ts'] = (m, f) => m._compile(swc.transformSync(fs.readFileSync(f, 'utf8'), {
        filename: f, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      }).code, f);
      const r = require(${JSON.stringify(join(__dirname, 'document-review.ts'))});
      const at = (s) => new Date(s);
      console.log(JSON.stringify({
        offset: new Date(2026, 11, 31).getTimezoneOffset(),
        dueAt: r.reviewDueAt('${DAY}').toISOString(),
        remindFrom: r.reviewRemindFrom('${DAY}').toISOString(),
        states: ['2026-11-30T16:59:59.999Z', '2026-11-30T17:00:00.000Z', '2026-12-31T16:59:00.000Z',
          '2026-12-31T16:59:00.001Z'].map((s) => r.reviewState('${DAY}', at(s))),
      }));`;
    const out = spawnSync(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, TZ: 'America/New_York' },
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({
      offset: 300, // the process really is in New York (UTC-05:00 in December)
      dueAt: '2026-12-31T16:59:00.000Z',
      remindFrom: '2026-11-30T17:00:00.000Z',
      states: ['scheduled', 'due_soon', 'due_soon', 'overdue'],
    });
  });

  it('takes another compliance zone when given one (the same wall-clock rule there)', () => {
    expect(reviewDueAt(DAY, 'Europe/London').toISOString()).toBe('2026-12-31T23:59:00.000Z');
    expect(reviewState(DAY, at('2026-12-31T20:00:00.000Z'), 'Europe/London')).toBe('due_soon');
    expect(reviewState(DAY, at('2026-12-31T20:00:00.000Z'))).toBe('overdue');
  });
});
