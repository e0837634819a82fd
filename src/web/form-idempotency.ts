// Post/redirect/get with an idempotency key, for any page form.
//
// A page renders `formKey` (newFormKey(), a fresh random value per render) into a hidden input of each
// state-changing form; the controller (with `@UseInterceptors(FormKeyInterceptor)`) runs the action through
// `FormIdempotency.once(actor, formKey, form, run)` and redirects (303) to the location `run` returned.
// The same form posted again with the same key — a reload of the POST, a double click, the back button and
// submit — does not run again: it gets the first submission's redirect. One-time results (a download link
// shown once) travel as the submission's `flash`, which the GET page reads back with `outcome()`: reloading
// the result page shows it again without running anything.
//
// Kept in PostgreSQL (`form_submissions`, keyed by actor, key and form) so instances stay interchangeable.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor, createParamDecorator } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { ConflictError, ValidationError } from '../common/errors/app-error';

/** The hidden input's name. */
export const FORM_KEY_FIELD = 'formKey';
const KEY = /^[A-Za-z0-9_-]{16,64}$/;
/** How long a submission is remembered (a reload or back-button resubmission comes much sooner). */
export const FORM_SUBMISSION_TTL_MS = 7 * 86_400_000;
/** A duplicate arriving while the first is still running waits this long for its outcome. */
const WAIT_FOR_FIRST_MS = 30_000;

/** A fresh key for the forms of one rendered page (128 random bits). */
export function newFormKey(): string {
  return randomBytes(16).toString('base64url');
}

export interface FormOutcome {
  /** Where the browser is sent (303) after the form. */
  location: string;
  /** A one-time result for the GET page (no secrets in clear: seal them first). */
  flash?: Record<string, unknown> | null;
}

type KeyedRequest = { body?: unknown; formKey?: string | null };

/**
 * Moves `formKey` out of the body before validation (form DTOs refuse unknown fields) onto the request,
 * where `@FormKey()` reads it. A key of the wrong shape is a 400 naming the field.
 */
@Injectable()
export class FormKeyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : null;
    const key = body?.[FORM_KEY_FIELD];
    if (body) delete body[FORM_KEY_FIELD];
    if (key !== undefined && key !== '' && (typeof key !== 'string' || !KEY.test(key)))
      throw new ValidationError([{ field: FORM_KEY_FIELD, message: 'must be the key the page gave the form' }]);
    request.formKey = typeof key === 'string' && key !== '' ? key : null;
    return next.handle();
  }
}

/** The form's idempotency key (null when the form sent none: it then runs every time). */
export const FormKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null =>
    context.switchToHttp().getRequest<KeyedRequest>().formKey ?? null,
);

@Injectable()
export class FormIdempotency {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Runs `run` once per (actor, key, form). A repeat gets the first outcome without running; if the first
   * is still running, the repeat waits for it. If `run` throws, the claim is dropped so the form can be
   * sent again (after the error is fixed) with the same key.
   */
  async once(
    actorId: string,
    key: string | null,
    form: string,
    run: () => Promise<FormOutcome>,
  ): Promise<FormOutcome & { repeated: boolean }> {
    if (key === null) return { ...(await run()), repeated: false };
    const claimed: unknown[] = await this.ds.query(
      `INSERT INTO form_submissions (actor_id, form_key, form) VALUES ($1, $2, $3) ON CONFLICT (actor_id, form_key, form) DO NOTHING RETURNING form_key`,
      [actorId, key, form],
    );
    if (claimed.length === 0) return { ...(await this.waitFor(actorId, key, form)), repeated: true };
    let outcome: FormOutcome;
    try {
      outcome = await run();
    } catch (e) {
      await this.ds.query(`DELETE FROM form_submissions WHERE actor_id = $1 AND form_key = $2 AND form = $3`, [
        actorId,
        key,
        form,
      ]);
      throw e;
    }
    await this.ds.query(
      `UPDATE form_submissions SET location = $4, flash = $5, finished_at = now() WHERE actor_id = $1 AND form_key = $2 AND form = $3`,
      [actorId, key, form, outcome.location, outcome.flash ? JSON.stringify(outcome.flash) : null],
    );
    // Forget this actor's old submissions (small, indexed by the primary key's first column).
    await this.ds.query(`DELETE FROM form_submissions WHERE actor_id = $1 AND created_at < $2`, [
      actorId,
      new Date(Date.now() - FORM_SUBMISSION_TTL_MS),
    ]);
    return { ...outcome, repeated: false };
  }

  /** The finished outcome of the actor's submission with `key` of one of `forms` (the GET page's one-time result), or null. */
  async outcome(actorId: string, key: string, forms: string | string[]): Promise<FormOutcome | null> {
    if (!KEY.test(key)) return null;
    const rows: { location: string | null; flash: Record<string, unknown> | null }[] = await this.ds.query(
      `SELECT location, flash FROM form_submissions WHERE actor_id = $1 AND form_key = $2 AND form = ANY($3) AND finished_at IS NOT NULL`,
      [actorId, key, [forms].flat()],
    );
    return rows[0]?.location ? { location: rows[0].location, flash: rows[0].flash } : null;
  }

  private async waitFor(actorId: string, key: string, form: string): Promise<FormOutcome> {
    const until = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const done = await this.outcome(actorId, key, form);
      if (done) return done;
      const rows: unknown[] = await this.ds.query(
        `SELECT 1 FROM form_submissions WHERE actor_id = $1 AND form_key = $2 AND form = $3`,
        [actorId, key, form],
      );
      // The first attempt failed and dropped its claim: this one may run (the caller sends the form again).
      if (rows.length === 0 || Date.now() > until) throw new FormStillRunningError();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A repeat of a form whose first submission failed or is still running after the wait. */
export class FormStillRunningError extends ConflictError {
  constructor() {
    super(
      'form.already_submitted',
      'This form was already sent and has not finished (or failed): reload the page to see where it stands.',
    );
  }
}
