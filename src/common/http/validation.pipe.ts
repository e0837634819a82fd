import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { FieldProblem, ValidationError } from '../errors/app-error';

/** Flattens class-validator errors to `{ field, message }` with dotted paths (`items.0.title`). */
export function fieldProblems(errors: ClassValidatorError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property \S+ should not exist$/, 'is not an allowed field') });
    }
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

/** The global pipe: strips nothing silently — unknown fields are rejected with a 400 naming them. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationError(fieldProblems(errors)),
  });
}
