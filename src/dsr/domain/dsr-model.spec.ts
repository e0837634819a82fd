import type { FieldProblem } from '../../common/errors/app-error';
import {
  canMove,
  checkChanges,
  checkSubject,
  formatReference,
  isThaiNationalId,
  normalisePhone,
  updateKindFor,
} from './dsr-model';

describe('lifecycle', () => {
  it.each([
    ['received', 'verified', true],
    ['received', 'in_progress', false],
    ['received', 'completed', false],
    ['received', 'rejected', true],
    ['verified', 'in_progress', true],
    ['in_progress', 'completed', true],
    ['completed', 'rejected', false],
    ['rejected', 'verified', false],
  ] as const)('%s → %s: %s', (from, to, ok) => expect(canMove(from, to)).toBe(ok));

  it('maps rights to connector updates', () => {
    expect(updateKindFor('rectification')).toBe('rectify');
    expect(['restriction', 'objection', 'withdraw_consent'].map((r) => updateKindFor(r as never))).toEqual([
      'restrict',
      'restrict',
      'restrict',
    ]);
    expect(updateKindFor('access')).toBeNull();
  });
});

describe('subject identity', () => {
  it('normalises e-mail, phone and national id', () => {
    const problems: FieldProblem[] = [];
    expect(
      checkSubject(
        { name: ' สมชาย ใจดี ', email: ' Somchai@Example.COM ', phone: '081-234-5678', nationalId: '1-1017-00203-45-0' },
        problems,
      ),
    ).toEqual({
      name: 'สมชาย ใจดี',
      email: 'somchai@example.com',
      phone: '66812345678',
      nationalId: '1101700203450',
    });
    expect(problems).toEqual([]);
  });

  it('names each bad field and needs one way to find the subject', () => {
    const problems: FieldProblem[] = [];
    checkSubject({ name: '', email: 'not-an-address', phone: '12', nationalId: '123' }, problems);
    expect(problems.map((p) => p.field)).toEqual([
      'subject.name',
      'subject.email',
      'subject.phone',
      'subject.nationalId',
    ]);
    const none: FieldProblem[] = [];
    checkSubject({ name: 'A' }, none);
    expect(none).toEqual([{ field: 'subject', message: expect.stringContaining('at least one of') }]);
  });

  it('keeps hostile text as text (it only ever travels as a bound parameter)', () => {
    const problems: FieldProblem[] = [];
    const s = checkSubject({ name: "Robert'); DROP TABLE patients;--", email: "a'--@b.c" }, problems);
    expect(problems).toEqual([]);
    expect(s).toMatchObject({ name: "Robert'); DROP TABLE patients;--", email: "a'--@b.c" });
  });

  it('checks Thai national id check digits', () => {
    expect(isThaiNationalId('1101700203450')).toBe(true);
    expect(isThaiNationalId('1101700203451')).toBe(false);
    expect(normalisePhone('+66 81 234 5678')).toBe('66812345678');
  });
});

it('formats references', () => {
  expect(formatReference(new Date('2026-03-01T00:00:00Z'), 42)).toBe('DSR-2026-00042');
});

describe('rectification changes', () => {
  it('are only for rectification requests', () => {
    const problems: FieldProblem[] = [];
    expect(checkChanges('access', { email: 'x' }, problems)).toBeNull();
    expect(problems).toEqual([{ field: 'changes', message: 'is only for rectification requests' }]);
    expect(checkChanges('erasure', undefined, [])).toBeNull();
  });

  it('must name columns and give short text values', () => {
    const problems: FieldProblem[] = [];
    expect(checkChanges('rectification', undefined, problems)).toBeNull();
    checkChanges('rectification', { 'bad name': 'x', ok: 'y'.repeat(1001) }, problems);
    expect(problems.map((p) => p.field)).toEqual(['changes', 'changes.bad name', 'changes.ok']);
    const fine: FieldProblem[] = [];
    expect(checkChanges('rectification', { email: 'a@b.co' }, fine)).toEqual({ email: 'a@b.co' });
    expect(fine).toEqual([]);
  });
});
