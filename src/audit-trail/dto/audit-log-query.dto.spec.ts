import { ValidationError } from '../../common/errors/app-error';
import { createValidationPipe } from '../../common/http/validation.pipe';
import { AuditLogQueryDto } from './audit-log-query.dto';

/** Runs a query string's values through the global pipe exactly as a GET /api/audit-trail would. */
async function parse(query: Record<string, string>): Promise<AuditLogQueryDto> {
  return createValidationPipe().transform(query, { type: 'query', metatype: AuditLogQueryDto });
}

async function problems(query: Record<string, string>) {
  try {
    await parse(query);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).errors;
  }
  throw new Error('expected a validation error');
}

describe('AuditLogQueryDto', () => {
  it('converts paging numbers and keeps the filters', async () => {
    const q = await parse({
      limit: '20',
      offset: '40',
      actor: 'user:1',
      action: 'auth.login',
      subjectType: 'User',
      subjectId: 'x',
      from: '2026-01-05',
      to: '2026-01-06T10:00:00+07:00',
    });
    expect(q).toEqual({
      limit: 20,
      offset: 40,
      actor: 'user:1',
      action: 'auth.login',
      subjectType: 'User',
      subjectId: 'x',
      from: '2026-01-05',
      to: '2026-01-06T10:00:00+07:00',
    });
  });

  it('treats the empty fields of the page’s filter form as absent', async () => {
    expect(await parse({ actor: '', action: ' ', subjectType: '', subjectId: '', from: '', to: '' })).toEqual({});
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-01-05T10:00:00' }, 'to'],
    [{ actor: 'x'.repeat(201) }, 'actor'],
    [{ sort: 'seq' }, 'sort'],
  ])('rejects %p naming %s', async (query, field) => {
    const found = await problems(query);
    expect([...new Set(found.map((p) => p.field))]).toEqual([field]);
  });

  it('explains what a date filter must look like', async () => {
    expect(await problems({ from: '05/01/2026' })).toEqual([
      {
        field: 'from',
        message: 'from must be a date (2026-01-05) or a date-time with its time zone (2026-01-05T10:00:00Z)',
      },
    ]);
  });
});
