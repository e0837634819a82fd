import { ValidationError } from '../../common/errors/app-error';
import { timeRange } from './time-range';

describe('timeRange', () => {
  it('is open on both sides without bounds', () => {
    expect(timeRange(undefined, undefined)).toEqual({});
  });

  it('takes a date as the whole UTC day, the `to` day included', () => {
    expect(timeRange('2026-01-05', '2026-01-05')).toEqual({
      from: new Date('2026-01-05T00:00:00.000Z'),
      before: new Date('2026-01-06T00:00:00.000Z'),
    });
    expect(timeRange(undefined, '2026-12-31')).toEqual({ before: new Date('2027-01-01T00:00:00.000Z') });
  });

  it('takes a date-time with its zone as that instant, `to` inclusive', () => {
    expect(timeRange('2026-01-05T10:00:00+07:00', '2026-01-05T03:30:00.250Z')).toEqual({
      from: new Date('2026-01-05T03:00:00.000Z'),
      before: new Date('2026-01-05T03:30:00.251Z'),
    });
    expect(timeRange('2026-01-05T10:00Z', undefined)).toEqual({ from: new Date('2026-01-05T10:00:00.000Z') });
  });

  it.each([
    ['from', '2026-02-30', undefined, 'is not a real date'],
    ['to', undefined, '2026-13-01', 'is not a real date'],
    [
      'from',
      '05/01/2026',
      undefined,
      'must be a date (2026-01-05) or a date-time with its time zone (2026-01-05T10:00:00Z)',
    ],
    [
      'from',
      '2026-01-05T10:00:00',
      undefined,
      'must be a date (2026-01-05) or a date-time with its time zone (2026-01-05T10:00:00Z)',
    ],
    ['to', '2026-01-05T00:00:00Z', '2026-01-04T23:59:59Z', 'must not be before from'],
    ['to', '2026-01-06', '2026-01-05', 'must not be before from'],
  ])('names %s for from=%s to=%s', (field, from, to, message) => {
    let error: unknown;
    try {
      timeRange(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([{ field, message }]);
  });
});
