import type { ArgumentMetadata } from '@nestjs/common';
import { ForbiddenError, ValidationError, type FieldProblem } from '../common/errors/app-error';
import { createValidationPipe } from '../common/http/validation.pipe';
import { problemFor } from '../common/http/problem';
import { CreateEngagementDto } from '../engagements/dto/engagement.dto';
import { ReportIncidentDto } from '../incidents/dto/incident.dto';
import { confirmation, fieldLabel, plainDetail, plainFieldProblems, plainProblem } from './plain-messages';

/** The field problems the real global pipe answers for `body` sent to a route taking `dto`. */
async function problemsOf(dto: new () => object, body: object): Promise<FieldProblem[]> {
  const metadata: ArgumentMetadata = { type: 'body', metatype: dto };
  try {
    await createValidationPipe().transform(body, metadata);
  } catch (e) {
    if (e instanceof ValidationError) return e.errors;
    throw e;
  }
  throw new Error('the body was valid');
}

const incident = { title: 'Printer on fire', description: 'Smoke', severity: 'SEV2', categories: ['availability'] };

describe('plain messages for pages', () => {
  it('labels fields in words', () => {
    expect(fieldLabel('title')).toBe('Title');
    expect(fieldLabel('lateReason')).toBe('Late reason');
    expect(fieldLabel('subject.email')).toBe('Subject email');
    expect(fieldLabel('items.0.dueAt')).toBe('Items due at');
  });

  it('an empty title: "Title is required." once, not the validator’s two messages', async () => {
    const problems = await problemsOf(ReportIncidentDto, { ...incident, title: '', description: '' });
    expect(problems.map((p) => p.message)).toContain('description must be longer than or equal to 1 characters');
    expect(plainFieldProblems(problems)).toEqual([
      { field: 'title', message: 'Title must be at least 3 characters long.' },
      { field: 'description', message: 'Description is required.' },
    ]);
    const missing = await problemsOf(ReportIncidentDto, { ...incident, title: undefined });
    expect(missing.filter((p) => p.field === 'title').length).toBeGreaterThan(1);
    expect(plainFieldProblems(missing)).toEqual([{ field: 'title', message: 'Title is required.' }]);
  });

  it('no framework chosen: "Choose at least one framework."', async () => {
    const problems = await problemsOf(CreateEngagementDto, {
      auditorUserId: '00000000-0000-4000-8000-000000000000',
      from: '2026-01-01',
      to: '2026-12-31',
      expiresAt: '2027-01-31T00:00:00Z',
    });
    expect(problems.filter((p) => p.field === 'frameworks').map((p) => p.message)).toEqual(
      expect.arrayContaining(['frameworks must be framework keys like soc2', 'frameworks must be an array']),
    );
    expect(plainFieldProblems(problems).find((p) => p.field === 'frameworks')).toEqual({
      field: 'frameworks',
      message: 'Choose at least one framework.',
    });
    const none = await problemsOf(ReportIncidentDto, { ...incident, categories: [] });
    expect(plainFieldProblems(none)).toEqual([{ field: 'categories', message: 'Choose at least one category.' }]);
  });

  it.each([
    ['severity', 'severity must be SEV1, SEV2, …', 'Severity must be SEV1, SEV2, …'],
    ['title', 'title must be shorter than or equal to 200 characters', 'Title must be at most 200 characters long.'],
    ['subject.email', 'subject.email must be an email', 'Subject email must be an e-mail address.'],
    ['status', 'status must be one of the following values: open, done', 'Choose one of the options for status.'],
    ['roles', 'each value in roles must be one of the following values: a, b', 'Choose roles from the list.'],
    ['recipientsCount', 'recipientsCount must not be less than 0', 'Recipients count must be at least 0.'],
    ['recipientsCount', 'recipientsCount must be an integer number', 'Recipients count must be a whole number.'],
    ['sentAt', 'sentAt must be a valid ISO 8601 date string', 'Sent at must be a date and time.'],
    ['evidenceId', 'evidenceId must be a UUID', 'Evidence id: choose one from the list.'],
    ['body', 'write the request', 'Write the request.'],
    ['awareAt', 'must not be in the future', 'Aware at must not be in the future.'],
    ['documents[0].manual', 'is required when kind is manual', 'documents[0].manual: is required when kind is manual'],
    ['extra', 'is not an allowed field', 'The form sent a field this page does not take (extra).'],
    [
      'lateReason',
      'lateReason is required: this notice is late; say why',
      'Late reason is required: this notice is late; say why.',
    ],
  ])('%s: "%s" reads "%s"', (field, message, plain) => {
    expect(plainFieldProblems([{ field, message }])).toEqual([{ field, message: plain }]);
  });

  it('never fails on odd input: an empty message or field, a field named like a pattern', () => {
    expect(plainFieldProblems([{ field: 'note', message: '' }])).toEqual([
      { field: 'note', message: 'This value is not accepted.' },
    ]);
    expect(plainFieldProblems([{ field: '', message: 'must be a string' }])).toEqual([
      { field: '', message: 'This field is required.' },
    ]);
    expect(plainFieldProblems([{ field: 'a(b', message: 'a(b must be a UUID' }])).toEqual([
      { field: 'a(b', message: 'A(b: choose one from the list.' },
    ]);
  });

  it('the top of a refused form: the plain problems, or a rule’s own message when there are none', () => {
    const problems = [
      { field: 'title', message: 'title must be longer than or equal to 1 characters' },
      { field: 'title', message: 'title should not be empty' },
      { field: 'categories', message: 'categories must name at least one category' },
    ];
    expect(plainDetail('title: title must be …', problems)).toBe('Title is required. Choose at least one category.');
    expect(plainDetail('DSR-2026-0001 was erased on …', [])).toBe('DSR-2026-0001 was erased on …');
  });

  it('a forbidden page or form says so in words; the API’s problem document is untouched', () => {
    const problem = problemFor(
      new ForbiddenError('Your role (viewer) may not read DsrRequest.', 'auth.forbidden'),
    ).problem;
    expect(problem.detail).toBe('Your role (viewer) may not read DsrRequest.');
    expect(plainProblem(problem, 'GET')).toMatchObject({
      title: 'No access',
      detail: 'You do not have access to this page.',
    });
    expect(plainProblem(problem, 'POST').detail).toBe('You are not allowed to do this.');
    expect(problem.detail).toBe('Your role (viewer) may not read DsrRequest.');
  });

  it('an error page for a bad form: a plain title and list, the detail pointing at it', async () => {
    const e = new ValidationError(await problemsOf(ReportIncidentDto, { ...incident, title: '' }));
    const page = plainProblem(problemFor(e).problem, 'POST');
    expect(page.title).toBe('Please check what you entered');
    expect(page.detail).toBe('Nothing was saved. Please correct this and send the form again:');
    expect(page.errors).toEqual([{ field: 'title', message: 'Title must be at least 3 characters long.' }]);
  });
});

describe('confirmation after an action', () => {
  it('says what was done, for our own keys only', () => {
    expect(confirmation('task.attested')).toBe('Attested: the task is done.');
    expect(confirmation('owner.assigned')).toMatch(/^Owner assigned/);
  });

  it.each([undefined, '', 'toString', '__proto__', '<script>', ['task.attested'], 7])(
    'shows nothing for %p (a crafted link cannot put words on the page)',
    (value) => expect(confirmation(value)).toBeNull(),
  );
});
