import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  TooLargeError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/app-error';
import { problemFor } from './problem';

describe('problemFor', () => {
  it.each([
    [new ValidationError([{ field: 'title', message: 'must be a string' }]), 400, 'request.invalid'],
    [new UnauthenticatedError(), 401, 'auth.required'],
    [new ForbiddenError(), 403, 'auth.forbidden'],
    [new NotFoundError('sweep_task', 'abc'), 404, 'sweep_task.not_found'],
    [new ConflictError('sweep_task.done', 'This task is already done.'), 409, 'sweep_task.done'],
    [new TooLargeError(1024), 413, 'request.too_large'],
    [new RuleViolationError('dsr.identity_unverified', 'Verify the identity first.'), 422, 'dsr.identity_unverified'],
  ])('maps %p to %i with its code', (error, status, code) => {
    const { problem, unexpected } = problemFor(error);
    expect(problem.status).toBe(status);
    expect(problem.code).toBe(code);
    expect(problem.type).toBe(`https://attest.dev/problems/${code.replace(/\./g, '/')}`);
    expect(problem.detail).toBe(error.message);
    expect(unexpected).toBe(false);
  });

  it('keeps field problems of a validation error', () => {
    const { problem } = problemFor(new ValidationError([{ field: 'items.0.title', message: 'must not be empty' }]));
    expect(problem.errors).toEqual([{ field: 'items.0.title', message: 'must not be empty' }]);
    expect(problem.detail).toBe('items.0.title: must not be empty');
  });

  it('maps Fastify upload errors raised inside a handler', () => {
    const large = problemFor(
      Object.assign(new Error('request file too large'), { code: 'FST_REQ_FILE_TOO_LARGE', statusCode: 413 }),
    );
    expect(large.problem).toMatchObject({ status: 413, code: 'upload.too_large' });
    const other = problemFor(Object.assign(new Error('some client error'), { code: 'FST_SOMETHING', statusCode: 400 }));
    expect(other.problem).toMatchObject({ status: 400, code: 'request.rejected', detail: 'some client error' });
  });

  it('gives Fastify limit errors that Nest wraps their own codes', () => {
    expect(problemFor(new HttpException('Request body is too large', 413)).problem).toMatchObject({
      status: 413,
      code: 'request.too_large',
    });
  });

  it('maps Nest HTTP exceptions, keeping extension members but never overwriting problem members', () => {
    expect(problemFor(new NotFoundException('Cannot GET /nope')).problem).toMatchObject({
      status: 404,
      code: 'route.not_found',
      detail: 'Cannot GET /nope',
    });
    expect(problemFor(new BadRequestException(['a is bad', 'b is bad'])).problem.detail).toBe('a is bad; b is bad');
    const health = problemFor(
      new ServiceUnavailableException({
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: {},
      }),
    );
    expect(health.problem.status).toBe(503);
    expect(health.problem.error).toEqual({ database: { status: 'down' } });
    expect(health.unexpected).toBe(true);
  });

  it('hides the message of anything unknown behind a generic 500', () => {
    const { problem, unexpected } = problemFor(new Error('connection string postgres://u:secret@db'));
    expect(problem.status).toBe(500);
    expect(problem.code).toBe('internal');
    expect(JSON.stringify(problem)).not.toContain('secret');
    expect(unexpected).toBe(true);
  });

  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each([
    ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a server shutting down (57P01)', coded('57P01', 'terminating connection due to administrator command')],
    ['a server starting up (57P03)', coded('57P03', 'the database system is starting up')],
    ['a connection exception (class 08)', coded('08006')],
    ['a query wrapped by TypeORM', Object.assign(new Error('q'), { driverError: { code: '57P01' } })],
    ['a connection lost under a query', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('answers 503 database.unavailable with Retry-After for %s', (_what, error) => {
    const mapped = problemFor(error);
    expect(mapped.problem).toMatchObject({ status: 503, code: 'database.unavailable', title: 'Service Unavailable' });
    expect(mapped.retryAfterSeconds).toBe(5);
    expect(mapped.unexpected).toBe(true);
  });

  it.each([
    ['PostgreSQL disk_full (53100)', Object.assign(new Error('q'), { driverError: { code: '53100' } })],
    ['ENOSPC from a file write', coded('ENOSPC', 'ENOSPC: no space left on device, write')],
    ['EDQUOT', coded('EDQUOT')],
  ])('answers 507 storage.full with Retry-After for %s', (_what, error) => {
    const mapped = problemFor(error);
    expect(mapped.problem).toMatchObject({ status: 507, code: 'storage.full', title: 'Insufficient Storage' });
    expect(mapped.retryAfterSeconds).toBe(5);
  });

  it('answers a connection reset (PostgreSQL restarting under a connection) 503 database.unavailable', () => {
    for (const code of ['ECONNRESET', 'EPIPE'])
      expect(problemFor(coded(code, `read ${code}`)).problem).toMatchObject({
        status: 503,
        code: 'database.unavailable',
      });
  });

  it('leaves other coded errors (a unique violation) to their own mapping', () => {
    expect(problemFor(coded('23505')).problem.status).toBe(500);
    expect(problemFor(coded('23505')).retryAfterSeconds).toBeUndefined();
  });
});
