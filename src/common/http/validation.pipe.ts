import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { FieldProblem, ValidationError } from '../errors/app-error';

/** Flattens class-validator errors to `{ field, message }` with dotted paths (`items.0.title`). */
export function fieldProblems(errors: ClassValidatorError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property [^]* should not exist$/, 'is not an allowed field') });
    }
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

/**
 * A body bound to a DTO must be a JSON object: an array would be validated item by item (one "0: is not an
 * allowed field" per element), a string or number as if it were {}. Either is one problem naming `body`.
 */
class BodyObjectValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const notObject = value !== null && value !== undefined && (Array.isArray(value) || typeof value !== 'object');
    if (metadata.type === 'body' && notObject && this.toValidate(metadata))
      throw new ValidationError([{ field: 'body', message: 'must be a JSON object' }]);
    return super.transform(value, metadata);
  }
}

/** The global pipe: strips nothing silently — unknown fields are rejected with a 400 naming them. */
export function createValidationPipe(): ValidationPipe {
  return new BodyObjectValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationError(fieldProblems(errors)),
  });
}
